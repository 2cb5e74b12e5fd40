"""Runs the train↔serve consistency check (`vibeflow_trainer.serve.reference`, in the trainer's interpreter so
torch stays out of the backend) against a running engine and turns a mismatch into a refusal that explains."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from vibeflow.errors import VibeFlowError


class ConsistencyError(VibeFlowError):
    """The engine would prompt the model differently from training (or not stop at EOS): deployment refused."""

    def __post_init__(self) -> None:
        self.http_status = 409
        super().__post_init__()


async def run_check(
    adapter: str,
    engine_url: str,
    model: str,
    timeout: float = 300.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The verdict JSON: {ok, problems, conversations, eos, chat_format}. A cloud engine's key (in `headers`)
    reaches the checker through its environment, never its command line."""
    python = os.environ.get("VIBEFLOW_TRAINER_PYTHON") or sys.executable
    argv = [python, "-m", "vibeflow_trainer.serve.reference", "--adapter", adapter, "--engine", engine_url]
    env = dict(os.environ)
    auth = (headers or {}).get("Authorization", "")
    if auth.startswith("Bearer "):
        env["VIBEFLOW_ENGINE_API_KEY"] = auth[7:]
    proc = await asyncio.create_subprocess_exec(
        *argv, "--model", model, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        return {"ok": False, "problems": [f"the consistency check did not finish within {timeout:.0f} s"]}
    lines = [line for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
    if not lines:
        tail = err.decode(errors="replace")[-800:]
        return {"ok": False, "problems": [f"the consistency check crashed: {tail}"]}
    return json.loads(lines[-1])


def refusal(verdict: dict[str, Any], name: str) -> ConsistencyError:
    problems = verdict.get("problems") or ["unknown problem"]
    if verdict.get("error"):
        return ConsistencyError(
            f"refused to put {name} live: the train/serve consistency check could not run — {verdict['error']}",
            fix="check that the run's output directory still has its tokenizer files, then deploy again",
            details={"consistency": verdict},
        )
    return ConsistencyError(
        f"refused to put {name} live: serving would not match training — " + "; ".join(problems[:3]),
        fix="serve with the chat template and tokenizer saved in the run's output directory (do not override "
        "chat_template), or retrain with the template you want to serve",
        details={"consistency": verdict},
    )
