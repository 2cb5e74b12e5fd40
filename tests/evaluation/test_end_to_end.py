"""Train the offline demo base for two steps, then evaluate it for real: auto-evaluation through the API
(background), `vibeflow eval RUN --json` with the Gemini judge against the stub, stored results, gate, hints,
and HTML/PDF reports from both the API and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.support.gemini_stub import GeminiStub, Reply
from tests.support.tickets import csv_rows

from vibeflow.api.app import create_app
from vibeflow.evaluation.judge import CRITERIA
from vibeflow.settings import load_settings
from vibeflow.store.db import open_database
from vibeflow.store.models_evaluation import Evaluation, EvaluationExample

TOKEN = "eval-test-token"
GENERAL = Path(__file__).resolve().parents[2] / "server/vibeflow/evaluation/general_set.jsonl"
RECIPE = """name: support-bot
base_model: vibeflow-demo-tiny
data:
  path: support.csv
  test_split: 0.2
training:
  max_steps: 2
  batch_size: 4
  max_seq_length: 128
  checkpoint_every: 2
  gradient_stats_every: 0
"""


def _poll(client: TestClient, path: str, done, timeout: float = 400):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(path).json()
        if done(body):
            return body
        assert time.monotonic() < deadline, f"timed out waiting on {path}: {str(body)[:500]}"
        time.sleep(0.5)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vibeflow", *args],
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _valid_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and b"/Type /Page" in data


@pytest.mark.slow
async def test_train_auto_evaluate_cli_evaluate_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz = tmp_path / "quiz.jsonl"
    quiz.write_text("".join(GENERAL.read_text().splitlines(keepends=True)[:8]))
    monkeypatch.setenv("VIBEFLOW_AUTO_EVAL", "1")
    monkeypatch.setenv("VIBEFLOW_AUTO_EVAL_SAMPLE", "4")
    monkeypatch.setenv("VIBEFLOW_EVAL_GENERAL_SET", str(quiz))
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    rows = csv_rows(40)  # distinct tickets: rows that differ only in a number are near duplicates
    (tmp_path / "support.csv").write_text("question,answer\n" + "\n".join(rows) + "\n")
    settings = load_settings()

    with TestClient(create_app(settings, TOKEN), headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        missing = client.post("/api/evaluations", json={"run_id": "no-such-run"})
        assert missing.status_code == 404 and "vibeflow runs list" in missing.json()["fix"]
        assert client.post("/api/runs/no-such-run/evaluate").status_code == 404
        created = client.post("/api/runs", json={"recipe": RECIPE, "base_dir": str(tmp_path)})
        assert created.status_code == 201, created.text
        run_id = created.json()["id"]
        run = _poll(client, f"/api/runs/{run_id}", lambda r: r["status"] not in ("queued", "running"))
        assert run["status"] == "completed", run
        # auto-evaluation started by the run-finish hook, in the background
        listed = _poll(
            client,
            f"/api/evaluations?run_id={run_id}",
            lambda evs: bool(evs) and evs[0]["status"] in ("completed", "failed"),
        )
        assert listed[0]["status"] == "completed", listed[0]
        assert listed[0]["trigger"] == "auto"
        detail = client.get(f"/api/evaluations/{listed[0]['id']}").json()
        by_run = client.get(f"/api/evaluations/{run_id}").json()  # a run id gives its latest evaluation
        assert by_run["id"] == detail["id"]
        html = client.get(f"/api/evaluations/{detail['id']}/report.html")
        pdf = client.get(f"/api/evaluations/{detail['id']}/report.pdf")
        events = client.get(f"/api/evaluations/{detail['id']}/events").json()

    summary = detail["summary"]
    assert len(detail["examples"]) == 4 and summary["info"]["examples"] == 4
    keys = {row["key"] for row in detail["metrics"]}
    assert {"overall", "exact_match", "token_f1", "rouge_l", "bleu", "length_ratio", "perplexity",
            "semantic_similarity"} <= keys  # fmt: skip
    for example in detail["examples"]:
        for which in ("base", "tuned"):
            assert isinstance(example[which]["output"], str)
            assert {"token_f1", "rouge_l", "bleu", "perplexity", "semantic_similarity"} <= set(
                example[which]["scores"]
            )
    overall = summary["overall"]
    assert (
        detail["gate"]
        == {True: "ready", False: "review" if overall["tuned"] >= 50 else "retrain"}[overall["tuned"] > 70]
    )
    assert overall["improvement"] == pytest.approx(overall["tuned"] - overall["base"], abs=0.11)
    assert summary["demo_base"] is True and summary["judge"]["status"] == "skipped"
    assert "GEMINI_API_KEY" in summary["judge"]["note"]
    assert summary["forgetting"]["questions"] == 8 and summary["forgetting"]["status"] in (
        "ok",
        "alert",
        "inconclusive",
    )
    assert detail["hints"] and detail["hints"][0]["kind"] == "model_size"  # the demo base is named first
    assert all(h["action"]["command"] for h in detail["hints"])
    assert summary["executive_summary"].startswith("The fine-tuned model scores")
    assert html.status_code == 200 and "<svg" in html.text and "Overall score" in html.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert [e["stage"] for e in events["events"] if e["type"] == "stage"][-1] == "completed"
    assert any(e["type"] == "progress" and e["phase"] == "generate_tuned" for e in events["events"])

    # the CLI, with the LLM judge against the local Gemini REST stub
    with GeminiStub(api_key="k") as stub:
        stub.responder = lambda req: Reply.json_text({**{c: 2 for c in CRITERIA}, "feedback": "off-topic"})
        result = _cli(
            "eval", run_id, "--json", "--sample", "3", "--judge-sample", "2", "--no-forgetting",
            env={"GEMINI_API_KEY": "k", "VIBEFLOW_GEMINI_BASE_URL": stub.base_url},
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    cli_detail = json.loads(result.stdout)
    assert cli_detail["status"] == "completed" and len(cli_detail["examples"]) == 3
    judge = cli_detail["summary"]["judge"]
    assert judge["status"] == "ok" and judge["sample"] == 2 and judge["means"]["tuned"]["average"] == 2.0
    assert cli_detail["summary"]["components"]["tuned"]["judge"] == pytest.approx(25.0)
    assert sum(1 for e in cli_detail["examples"] if e["tuned"]["judge"]) == 2
    assert cli_detail["summary"]["forgetting"]["status"] == "skipped"

    html_file, pdf_file = tmp_path / "out" / "report.html", tmp_path / "out" / "report.pdf"
    exported = _cli("eval", "export", cli_detail["id"], "--html", str(html_file), "--pdf", str(pdf_file))
    assert exported.returncode == 0, exported.stderr
    assert "<svg" in html_file.read_text() and "Judge: relevance" in html_file.read_text()
    _valid_pdf(pdf_file)
    shown = _cli("eval", "show", run_id)
    assert shown.returncode == 0 and "Overall score:" in shown.stdout and "Verdict:" in shown.stdout
    listed_cli = _cli("eval", "list", "--json")
    assert len(json.loads(listed_cli.stdout)) == 2

    async with open_database(settings) as db, db.session() as session:
        stored = list(await session.scalars(select(Evaluation).order_by(Evaluation.created_at)))
        counts = {
            ev.id: await session.scalar(
                select(func.count())
                .select_from(EvaluationExample)
                .where(EvaluationExample.evaluation_id == ev.id)
            )
            for ev in stored
        }
    assert [ev.status for ev in stored] == ["completed", "completed"]
    assert counts == {stored[0].id: 4, stored[1].id: 3}
    assert all(ev.gate in ("ready", "review", "retrain") and ev.overall_tuned is not None for ev in stored)


def test_bad_input_is_refused_with_a_fix(tmp_path: Path) -> None:
    bad = _cli("eval", "export", "whatever")
    assert bad.returncode == 2 and "fix:" in bad.stderr
    unknown = _cli("eval", "no-such-run")
    assert unknown.returncode == 2 and "not found" in unknown.stderr
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps({"output_dir": "o", "tuned_path": str(tmp_path), "eval_path": "x", "samples": 3})
    )
    out = subprocess.run([sys.executable, "-m", "vibeflow_trainer", "evaluate", str(spec)], capture_output=True,
                         text=True, timeout=60, check=False)  # fmt: skip
    assert out.returncode == 2 and "samples" in json.loads(out.stdout)["message"]
