"""The `vibeflow data` CLI on real example files: JSON report shape, versions, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.backbone.conftest import run_cli
from tests.conftest import EXAMPLES


def test_report_json_shape_on_each_example() -> None:
    for name in ("support.csv", "chat.jsonl", "alpaca.json", "sharegpt.json"):
        report = json.loads(run_cli("data", "report", str(EXAMPLES / name), "--json").stdout)
        assert {"rows", "format", "mapping", "score", "lengths", "issues"} <= set(report), name
        assert {"input", "output", "confidence"} <= set(report["mapping"])
        for side in ("input", "output"):
            assert {"mean", "p50", "p95", "max"} <= set(report["lengths"][side])
        for issue in report["issues"]:
            assert {"kind", "severity", "count", "rows", "message", "fix"} <= set(issue)
            assert all(isinstance(r, int) and r >= 1 for r in issue["rows"])


def test_human_report_and_version_flow() -> None:
    human = run_cli("data", "report", str(EXAMPLES / "support.csv")).stdout
    assert "Data Quality Report" in human and "Score:" in human and "fix:" in human
    imported = json.loads(run_cli("data", "import", str(EXAMPLES / "alpaca.json"), "--json").stdout)
    fixed = json.loads(run_cli("data", "fix", imported["ref"], "--ops", "dedup_exact", "--json").stdout)
    assert fixed["parent_id"] == imported["id"] and fixed["rows"] <= imported["rows"]
    split = json.loads(
        run_cli("data", "split", fixed["ref"], "--test", "0.25", "--seed", "3", "--json").stdout
    )
    assert split["train"]["rows"] + split["test"]["rows"] == fixed["rows"]
    listing = json.loads(run_cli("data", "list", "--json").stdout)
    assert len(listing[0]["versions"]) == 4
    stored = json.loads(run_cli("data", "report", imported["ref"], "--json").stdout)
    assert stored["hash"] == imported["hash"]


def test_errors_are_clear_and_nonzero(tmp_path: Path) -> None:
    cases = {
        "empty.csv": b"",
        "binary.csv": bytes(range(256)) * 64,
        "numbers.csv": b"a,b\n1,2\n3,4\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = run_cli("data", "report", str(path), check=False)
        assert result.returncode == 2, (name, result.stdout)
        assert "Traceback" not in result.stderr and name in result.stderr and "fix:" in result.stderr
    unknown = run_cli("data", "fix", "ghost", check=False)
    assert unknown.returncode == 2 and "not found" in unknown.stderr


def test_kill_during_import_leaves_no_partial_version(vibeflow_home: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vibeflow", "data", "import", str(EXAMPLES / "support.csv")],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run_cli("data", "import", str(EXAMPLES / "chat.jsonl"))  # the store still opens and works
    con = sqlite3.connect(vibeflow_home / "vibeflow.db")
    for (artifact,) in con.execute("select artifact_path from dataset_versions"):
        assert (vibeflow_home / "artifacts" / artifact).is_file()
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
