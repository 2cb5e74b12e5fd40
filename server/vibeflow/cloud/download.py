"""Copies a finished cloud run's outputs (adapter, tokenizer, manifest, events.jsonl) from its bucket to the run dir.

The bucket is the one the task mounted at /vibeflow/run (`task.bucket_name`). The copy uses the store's own
CLI (aws / gsutil) when it is installed; otherwise the note names the exact command to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from vibeflow.cloud.task import bucket_name

TOOLS = (
    (
        "aws",
        "s3",
        lambda bucket, dest: ["aws", "s3", "sync", f"s3://{bucket}", str(dest), "--exclude", "checkpoints/*"],
    ),
    (
        "gsutil",
        "gcs",
        lambda bucket, dest: [
            "gsutil",
            "-m",
            "rsync",
            "-r",
            "-x",
            "checkpoints/.*",
            f"gs://{bucket}",
            str(dest),
        ],
    ),
)


def timeout_s() -> float:
    """$VIBEFLOW_CLOUD_DOWNLOAD_TIMEOUT_S (default 1800): a store CLI stuck on retries must not hold the run."""
    return float(os.environ.get("VIBEFLOW_CLOUD_DOWNLOAD_TIMEOUT_S", "1800"))


JOURNAL_READERS = (
    ("aws", lambda bucket: ["aws", "s3", "cp", f"s3://{bucket}/events.jsonl", "-"]),
    ("gsutil", lambda bucket: ["gsutil", "cat", f"gs://{bucket}/events.jsonl"]),
)


def read_journal(run_id: str) -> str | None:
    """The trainer's events.jsonl as it stands in the run's bucket now, or None when no store CLI can read it."""
    for tool, command in JOURNAL_READERS:
        if shutil.which(tool) is None:
            continue
        try:
            result = subprocess.run(
                command(bucket_name(run_id)), capture_output=True, text=True, timeout=120, check=False
            )
        except subprocess.TimeoutExpired:
            continue
        if result.returncode == 0:
            return result.stdout
    return None


def download_outputs(run_id: str, output_dir: Path) -> dict[str, Any]:
    """Sync the bucket into OUTPUT_DIR (checkpoints stay in the bucket); returns a note for the event log."""
    bucket = bucket_name(run_id)
    output_dir.mkdir(parents=True, exist_ok=True)
    tried = []
    for tool, store, command in TOOLS:
        if shutil.which(tool) is None:
            continue
        args = command(bucket, output_dir)
        try:
            result = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s(), check=False)
        except subprocess.TimeoutExpired:
            tried.append(f"{' '.join(args)}: no answer within {timeout_s():.0f} s")
            continue
        if result.returncode == 0:
            return {"ok": True, "message": f"outputs downloaded from {store}://{bucket} to {output_dir}"}
        tried.append(f"{' '.join(args)}: {(result.stderr or result.stdout).strip()[-200:]}")
    return {
        "ok": False,
        "message": f"outputs are in bucket {bucket} but could not be downloaded here"
        + (f" ({'; '.join(tried)})" if tried else " (neither aws nor gsutil is installed)"),
        "fix": f"aws s3 sync s3://{bucket} {output_dir}   or   gsutil -m rsync -r gs://{bucket} {output_dir}",
    }
