"""Evaluation service rules without running models: refusals with fixes, options, interrupted evaluations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vibeflow.errors import NotFoundError, VibeFlowError
from vibeflow.evaluation.service import EvalOptions, EvaluationService
from vibeflow.settings import load_settings
from vibeflow.store.db import open_database
from vibeflow.store.models import Project
from vibeflow.store.models_evaluation import Evaluation
from vibeflow.store.models_runs import Run


async def _add_run(db, tmp_path: Path, run_id: str, status: str, adapter: bool, eval_path: bool) -> None:  # noqa: ANN001
    out = tmp_path / run_id
    out.mkdir()
    if adapter:
        (out / "adapter_config.json").write_text("{}")
    held_out = tmp_path / f"{run_id}-test.jsonl"
    if eval_path:
        held_out.write_text(
            '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n'
        )
    async with db.session() as session:
        project = await session.get(Project, 1)
        if project is None:
            session.add(Project(id=1, name="p"))
        session.add(
            Run(
                id=run_id,
                project_id=1,
                name="bot",
                status=status,
                method="lora",
                preset="balanced",
                base_model="vibeflow-demo-tiny",
                recipe={},
                spec={"eval_path": str(held_out)},
                adjustments={},
                output_dir=str(out),
                adapter_path=str(out),
                attempts=1,
                stop_requested=False,
                last_seq=0,
                event_seq=0,
                journal_offset=0,
            )  # fmt: skip
        )
        await session.commit()


async def test_only_completed_runs_with_outputs_and_a_test_split_are_evaluated(tmp_path: Path) -> None:
    settings = load_settings()
    async with open_database(settings) as db:
        await _add_run(db, tmp_path, "running-run", "running", adapter=True, eval_path=True)
        await _add_run(db, tmp_path, "no-adapter", "completed", adapter=False, eval_path=True)
        await _add_run(db, tmp_path, "no-split", "completed", adapter=True, eval_path=False)
        await _add_run(db, tmp_path, "good-run", "completed", adapter=True, eval_path=True)
        service = EvaluationService(db, settings)
        for ref, words in (("running-run", "only a completed run"), ("no-adapter", "no adapter"),
                           ("no-split", "no held-out split")):  # fmt: skip
            with pytest.raises(VibeFlowError) as caught:
                await service.create(ref)
            assert words in caught.value.message and caught.value.fix and caught.value.http_status == 409
        with pytest.raises(NotFoundError):
            await service.create("missing-run")
        with pytest.raises(NotFoundError) as not_yet:
            await service.get("good-run")
        assert "vibeflow eval good-run" in not_yet.value.fix
        ev = await service.create("good-run", options={"sample": 5})
        assert ev.status == "queued" and ev.options["sample"] == 5 and ev.options["judge_sample"] == 20


async def test_an_evaluation_whose_backend_died_is_marked_interrupted(tmp_path: Path) -> None:
    settings = load_settings()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    async with open_database(settings) as db:
        await _add_run(db, tmp_path, "good-run", "completed", adapter=True, eval_path=True)
        service = EvaluationService(db, settings)
        ev = await service.create("good-run")
        async with db.session() as session:
            row = await session.get(Evaluation, ev.id)
            row.status, row.owner_pid = "running", dead.pid
            await session.commit()
        stored, _ = await service.get(ev.id[:6])
        assert stored.status == "failed" and stored.error["error_type"] == "interrupted"
        assert "vibeflow eval good-run" in stored.error["fix"]
        assert [e.id for e in await service.list("good-run")] == [ev.id]


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(VibeFlowError, match="unknown evaluation option"):
        EvalOptions.from_dict({"samples": 3})
    with pytest.raises(VibeFlowError, match=">= 0"):
        EvalOptions.from_dict({"sample": -1})
    quiz = tmp_path / "quiz.jsonl"
    quiz.write_text(
        '{"question": "2+2?", "choices": ["4", "5"], "answer": 0}\n{"question": "x", "choices": ["a"], "answer": 3}\n'
    )
    with pytest.raises(VibeFlowError) as caught:
        EvalOptions.from_dict({"general_set": str(quiz)})
    assert caught.value.line == 2 and "choices" in caught.value.fix
    assert EvalOptions.from_dict({"general_set": str(quiz), "forgetting": False}).forgetting is False


async def test_cli_auto_evaluation_stores_then_executes_detached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After `vibeflow train --wait` the hook stores the evaluation and a detached process executes it; here
    the held-out file is broken, so the child fails — and the row ends failed with the reason and fix."""
    import asyncio
    import time

    from vibeflow.evaluation import auto

    settings = load_settings()
    async with open_database(settings) as db:
        await _add_run(db, tmp_path, "no-split", "completed", adapter=True, eval_path=False)
        await _add_run(db, tmp_path, "stub-adapter", "completed", adapter=True, eval_path=True)
        (tmp_path / "stub-adapter-test.jsonl").write_text(
            '{"messages": [{"role": "robot", "content": "hi"}]}\n'
        )
        monkeypatch.setenv("VIBEFLOW_AUTO_EVAL", "0")
        await auto.auto_evaluate("stub-adapter", "completed", db, settings)
        assert await EvaluationService(db, settings).list() == []
        monkeypatch.setenv("VIBEFLOW_AUTO_EVAL", "1")
        await auto.auto_evaluate("stub-adapter", "failed", db, settings)  # only completed runs
        await auto.auto_evaluate("no-split", "completed", db, settings)
        assert "no automatic evaluation" in capsys.readouterr().err
        await auto.auto_evaluate("stub-adapter", "completed", db, settings)
        assert "vibeflow eval show stub-adapter" in capsys.readouterr().err
        service = EvaluationService(db, settings)
        deadline = time.monotonic() + 240
        while True:
            (ev,) = await service.list()
            if ev.status not in ("queued", "running") or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert ev.trigger == "auto" and ev.status == "failed", ev.status
        assert (
            ev.error["error_type"] == "dataset_format" and "robot" in ev.error["message"] and ev.error["fix"]
        )
