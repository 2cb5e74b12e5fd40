"""Evaluation service: checks the run, runs the generation subprocess, scores, judges, stores, and reads back.

`evaluate(run)` = `create` (a queued row) + `execute` (the work, minutes). Rows record the backend process that
executes them; an active evaluation whose owner is gone is marked failed when read, so none stays "running".
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from vibeflow.errors import NotFoundError, VibeFlowError
from vibeflow.evaluation import process, quality
from vibeflow.evaluation.judge import DEFAULT_SAMPLE, run_judge, skipped
from vibeflow.evaluation.views import metric_table
from vibeflow.settings import Settings
from vibeflow.store.db import Database
from vibeflow.store.models import Dataset, DatasetVersion, utcnow
from vibeflow.store.models_evaluation import EVAL_ACTIVE, Evaluation, EvaluationExample
from vibeflow.store.models_runs import Run

GENERAL_SET = Path(__file__).resolve().parent / "general_set.jsonl"
Progress = Callable[[str, float], None]


@dataclass
class EvalOptions:
    """What the user can choose; defaults keep a CPU demo evaluation to about a minute."""

    sample: int = 50  # held-out examples generated (0 = all)
    judge: bool | None = None  # None: use Gemini when a key is set
    judge_sample: int = DEFAULT_SAMPLE
    max_new_tokens: int | None = None
    batch_size: int = 8
    temperature: float = 0.0
    seed: int = 42
    forgetting: bool = True
    general_set: str | None = None  # another quiz (JSONL); default $VIBEFLOW_EVAL_GENERAL_SET, else ours
    embedding_model: str = "auto"  # all-MiniLM-L6-v2 when installed; "base" or a local model directory

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EvalOptions:
        data = {k: v for k, v in (data or {}).items() if v is not None}
        if os.environ.get("VIBEFLOW_EVAL_GENERAL_SET") and "general_set" not in data:
            data["general_set"] = os.environ["VIBEFLOW_EVAL_GENERAL_SET"]
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise VibeFlowError(
                f"unknown evaluation option(s): {', '.join(unknown)}", fix=f"use {', '.join(sorted(known))}"
            )
        options = cls(**data)
        if options.general_set and options.forgetting:
            check_general_set(Path(options.general_set))
        if options.sample < 0 or options.judge_sample < 0 or options.batch_size < 1:
            raise VibeFlowError(
                "sample, judge_sample must be >= 0 and batch_size >= 1", fix="pass sensible numbers"
            )
        return options


def check_general_set(path: Path) -> None:
    """A forgetting quiz is JSONL with `question`, `choices` (2+ texts) and `answer` (index of the right one)."""
    fix = 'one JSON object per line: {"question": "...", "choices": ["a", "b", "c", "d"], "answer": 0}'
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise VibeFlowError(f"cannot read the general-knowledge set {path}: {error}", fix=fix) from error
    if not lines:
        raise VibeFlowError(f"the general-knowledge set {path} is empty", fix=fix)
    for number, line in enumerate(lines, start=1):
        try:
            item = json.loads(line)
            choices, answer = item["choices"], item["answer"]
            ok = isinstance(item["question"], str) and isinstance(choices, list) and len(choices) >= 2
            ok = (
                ok
                and all(isinstance(c, str) for c in choices)
                and isinstance(answer, int)
                and 0 <= answer < len(choices)
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise VibeFlowError(
                f"{path.name} line {number} is not a valid quiz question",
                fix=fix,
                file=str(path),
                line=number,
            )


def new_eval_id() -> str:
    return "ev-" + secrets.token_hex(5)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def owner_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EvaluationService:
    """All evaluation work against one store; safe to use from the API, the CLI and the auto-evaluation hook."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    # ---- creating ----------------------------------------------------------------------------------------
    async def create(
        self, run_ref: str, *, trigger: str = "manual", options: dict[str, Any] | None = None
    ) -> Evaluation:
        from vibeflow.runs.service import RunService

        opts = EvalOptions.from_dict(options)
        async with self.db.session() as session:
            run = await RunService(session, self.settings).get(run_ref)
            self._check_run(run)
            ev_id = new_eval_id()
            directory = self.settings.home / "evaluations" / ev_id
            ev = Evaluation(
                id=ev_id,
                run_id=run.id,
                status="queued",
                trigger=trigger,
                options=asdict(opts),
                output_dir=str(directory),
                owner_pid=os.getpid(),
                progress=0.0,
                summary={},
                metrics={},
            )
            session.add(ev)
            await session.commit()
            return ev

    def _check_run(self, run: Run) -> None:
        if run.status != "completed":
            raise VibeFlowError(
                f"run {run.id} is {run.status}; only a completed run can be evaluated",
                fix=f"wait for it to finish (vibeflow runs logs {run.id} -f) or resume it (vibeflow runs resume {run.id})",
                http_status=409,
            )
        out = Path(run.adapter_path or run.output_dir)
        if not ((out / "adapter_config.json").is_file() or (out / "config.json").is_file()):
            raise VibeFlowError(
                f"run {run.id} has no adapter or model in {out}",
                fix="re-run training; the adapter is written when a run completes",
                http_status=409,
            )
        eval_path = (run.spec or {}).get("eval_path")
        if not eval_path or not Path(eval_path).is_file():
            raise VibeFlowError(
                f"run {run.id} has no held-out split to evaluate on",
                fix="set data.test_split (e.g. 0.2) in vibeflow.yaml and train again",
                http_status=409,
            )

    # ---- executing ---------------------------------------------------------------------------------------
    async def evaluate(
        self,
        run_ref: str,
        *,
        trigger: str = "manual",
        options: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> Evaluation:
        ev = await self.create(run_ref, trigger=trigger, options=options)
        return await self.execute(ev.id, progress=progress)

    async def set_owner(self, ev_id: str, pid: int) -> None:
        """Record the process that will execute a queued evaluation (a detached `vibeflow eval --execute`)."""
        await self._update(ev_id, owner_pid=pid)

    async def _update(self, ev_id: str, **fields: Any) -> Evaluation:
        async with self.db.session() as session:
            ev = await session.get(Evaluation, ev_id)
            if ev is None:
                raise NotFoundError(f"evaluation {ev_id} not found")
            for key, value in fields.items():
                setattr(ev, key, value)
            await session.commit()
            return ev

    async def execute(self, ev_id: str, progress: Progress | None = None) -> Evaluation:
        """Do the work; the row ends completed or failed (also when cancelled)."""
        report = progress or (lambda _stage, _fraction: None)
        async with self.db.session() as session:
            ev = await session.get(Evaluation, ev_id)
            if ev is None:
                raise NotFoundError(f"evaluation {ev_id} not found")
            if ev.status != "queued":
                raise VibeFlowError(
                    f"evaluation {ev_id} is already {ev.status}",
                    fix=f"start a new one: vibeflow eval {ev.run_id}",
                )
            run = await session.get(Run, ev.run_id)
            assert run is not None
            context = await self._context(session, run)
            spec = self._spec(ev, run)
        directory = Path(ev.output_dir)
        directory.mkdir(parents=True, exist_ok=True)
        spec_path = directory / "spec.json"
        spec_path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
        await self._update(
            ev_id, status="running", stage="starting", started_at=utcnow(), owner_pid=os.getpid()
        )
        last_write = 0.0
        state: dict[str, Any] = {"stage": "starting", "progress": 0.0}

        async def on_event(event: dict[str, Any]) -> None:
            nonlocal last_write
            changed = False
            if event["type"] == "stage" and event.get("stage") not in ("completed", "failed", "stopped"):
                state["stage"], changed = event["stage"], True
            elif event["type"] == "progress":
                value = process.phase_progress(
                    event.get("phase", ""), event.get("done", 0), event.get("total", 0)
                )
                if value is not None:
                    state["progress"] = value
            report(state["stage"], state["progress"])
            if changed or time.monotonic() - last_write > 0.5:
                last_write = time.monotonic()
                await self._update(ev_id, stage=state["stage"], progress=state["progress"])

        async def on_start(pid: int) -> None:
            await self._update(ev_id, pid=pid)

        try:
            code, errors = await process.run_subprocess(spec_path, directory, on_event, on_start)
            if code != 0:
                error = errors[-1] if errors else {}
                return await self._fail(
                    ev_id,
                    error.get("message") or f"the evaluation process exited with code {code}",
                    error.get("fix") or f"see {directory / 'console.log'}",
                    error.get("error_type", "unknown"),
                )
            report("scoring", process.SCORING_PROGRESS)
            await self._update(ev_id, stage="scoring", progress=process.SCORING_PROGRESS)
            from vibeflow.evaluation.scoring import score_directory

            scored = await asyncio.to_thread(score_directory, directory)
            options = ev.options
            if options.get("judge") is False:
                judge = skipped("turned off for this evaluation (--no-judge)")
            else:
                report("judging", process.JUDGE_PROGRESS)
                await self._update(ev_id, stage="judging", progress=process.JUDGE_PROGRESS)
                judge = await run_judge(scored["examples"], sample=options.get("judge_sample", DEFAULT_SAMPLE),
                                        seed=options.get("seed", 42))  # fmt: skip
            return await self._store(ev_id, scored, judge, context)
        except asyncio.CancelledError:
            await asyncio.shield(
                self._fail(ev_id, "the backend stopped during the evaluation", "run it again")
            )
            raise
        except VibeFlowError as error:
            return await self._fail(ev_id, error.message, error.fix)
        except Exception as error:  # noqa: BLE001 - stored as a failed evaluation, never a stuck one
            return await self._fail(
                ev_id, f"{type(error).__name__}: {error}", "report it with the evaluation's console.log"
            )

    async def _fail(self, ev_id: str, message: str, fix: str, error_type: str = "unknown") -> Evaluation:
        return await self._update(
            ev_id,
            status="failed",
            finished_at=utcnow(),
            pid=None,
            owner_pid=None,
            error={"message": message, "fix": fix, "error_type": error_type},
        )

    def _spec(self, ev: Evaluation, run: Run) -> dict[str, Any]:
        options = ev.options
        general = (
            (options.get("general_set") or str(GENERAL_SET)) if options.get("forgetting", True) else None
        )
        return {
            "eval_id": ev.id,
            "output_dir": ev.output_dir,
            "tuned_path": run.adapter_path or run.output_dir,
            "eval_path": run.spec["eval_path"],
            "base_model": run.spec.get("base_model") or run.base_model,
            "max_examples": options.get("sample", 50),
            "seed": options.get("seed", 42),
            "max_new_tokens": options.get("max_new_tokens"),
            "batch_size": options.get("batch_size", 8),
            "temperature": options.get("temperature", 0.0),
            "max_prompt_tokens": int(run.spec.get("max_seq_length") or 1024),
            "general_set_path": general,
            "embedding_model": options.get("embedding_model") or "auto",
        }

    async def _context(self, session: Any, run: Run) -> dict[str, Any]:
        context: dict[str, Any] = {
            "run_id": run.id,
            "base_model": run.base_model,
            "loss": run.loss,
            "eval_loss": run.eval_loss,
            "steps": run.step,
            "num_epochs": (run.spec or {}).get("num_epochs"),
            "max_steps": (run.spec or {}).get("max_steps"),
        }
        if run.train_version_id:
            version = await session.get(DatasetVersion, run.train_version_id)
            if version is not None:
                dataset = await session.get(Dataset, version.dataset_id)
                context.update(
                    train_rows=version.rows,
                    data_score=version.score,
                    train_version=f"{dataset.name}@{version.number}" if dataset else str(version.id),
                )
        return context

    async def _store(
        self, ev_id: str, scored: dict[str, Any], judge: dict[str, Any], context: dict[str, Any]
    ) -> Evaluation:
        models = scored["models"]
        forgetting = scored["forgetting"]
        result = scored["result"]
        context = {**context, "base_is_demo": result.get("base_is_demo"), "forgetting": forgetting}
        scores: dict[str, Any] = {}
        for which in ("base", "tuned"):
            judge_mean = judge["means"][which]["average"] if judge.get("status") == "ok" else None
            parts = quality.components(models[which], judge_mean)
            overall = quality.overall_score(parts)
            models[which]["overall"] = overall
            if judge.get("status") == "ok":
                for criterion, value in judge["means"][which].items():
                    models[which][f"judge_{criterion}"] = value
            scores[which] = {
                "overall": overall,
                "components": parts,
                "length_alert": models[which]["length_alert"],
            }
        gate_key = quality.gate(scores["tuned"]["overall"])
        hints = quality.hints(context, scores)
        improvement = round(scores["tuned"]["overall"] - scores["base"]["overall"], 1)
        summary = {
            "overall": {
                "base": scores["base"]["overall"],
                "tuned": scores["tuned"]["overall"],
                "improvement": improvement,
            },
            "components": {w: scores[w]["components"] for w in ("base", "tuned")},
            "weights": quality.WEIGHTS,
            "gate": {
                "key": gate_key,
                "label": quality.GATES[gate_key][0],
                "detail": quality.GATES[gate_key][1],
            },
            "below_expectations": scores["tuned"]["overall"] <= quality.READY,
            "hints": hints,
            "length": {
                w: {"ratio": models[w]["length_ratio"], "alert": models[w]["length_alert"]}
                for w in ("base", "tuned")
            },
            "judge": {k: v for k, v in judge.items() if k != "verdicts"},
            "forgetting": forgetting,
            "differences": scored.get("differences", {}),
            "executive_summary": quality.summary_text(scores, gate_key, judge, forgetting),
            "info": result,
            "demo_base": bool(result.get("base_is_demo")),
        }
        verdicts = judge.get("verdicts", {})
        async with self.db.session() as session:
            ev = await session.get(Evaluation, ev_id)
            assert ev is not None
            await session.execute(delete(EvaluationExample).where(EvaluationExample.evaluation_id == ev_id))
            for example in scored["examples"]:
                session.add(
                    EvaluationExample(
                        evaluation_id=ev_id,
                        idx=example["index"],
                        row=example["row"] if isinstance(example.get("row"), int) else None,
                        prompt=example["prompt"],
                        reference=example["reference"],
                        base_output=example["base"]["output"],
                        tuned_output=example["tuned"]["output"],
                        base_scores=_clean(example["base"]["scores"]),
                        tuned_scores=_clean(example["tuned"]["scores"]),
                        judge=verdicts.get(str(example["index"])),
                    )
                )
            ev.summary = _clean(summary)
            ev.metrics = _clean({"models": models, "table": metric_table(models)})
            ev.overall_base = scores["base"]["overall"]
            ev.overall_tuned = scores["tuned"]["overall"]
            ev.gate = gate_key
            ev.status, ev.stage, ev.progress = "completed", "completed", 1.0
            ev.finished_at = utcnow()
            ev.pid = ev.owner_pid = None
            await session.commit()
            return ev

    # ---- reading -----------------------------------------------------------------------------------------
    async def _reconcile(self, session: Any, evs: list[Evaluation]) -> None:
        dirty = False
        for ev in evs:
            if ev.status in EVAL_ACTIVE and not owner_alive(ev.owner_pid):
                ev.status, ev.finished_at = "failed", utcnow()
                ev.error = {
                    "message": "the backend that ran this evaluation stopped before it finished",
                    "fix": f"run it again: vibeflow eval {ev.run_id}",
                    "error_type": "interrupted",
                }
                dirty = True
        if dirty:
            await session.commit()

    async def get(self, ref: str) -> tuple[Evaluation, list[EvaluationExample]]:
        """An evaluation by id (or unique prefix), or the latest evaluation of a run (id or prefix)."""
        async with self.db.session() as session:
            ev = await session.get(Evaluation, ref)
            if ev is None:
                matches = list(
                    await session.scalars(select(Evaluation).where(Evaluation.id.startswith(ref)).limit(2))
                )
                ev = matches[0] if len(matches) == 1 else None
            if ev is None:
                from vibeflow.runs.service import RunService

                try:
                    run = await RunService(session, self.settings).get(ref)
                except NotFoundError:
                    raise NotFoundError(
                        f"no evaluation or run {ref!r}", fix="list evaluations with `vibeflow eval list`"
                    ) from None
                ev = await session.scalar(
                    select(Evaluation)
                    .where(Evaluation.run_id == run.id)
                    .order_by(Evaluation.created_at.desc())
                    .limit(1)
                )
                if ev is None:
                    raise NotFoundError(
                        f"run {run.id} has not been evaluated yet", fix=f"run: vibeflow eval {run.id}"
                    )
            await self._reconcile(session, [ev])
            examples = list(
                await session.scalars(
                    select(EvaluationExample)
                    .where(EvaluationExample.evaluation_id == ev.id)
                    .order_by(EvaluationExample.idx)
                )
            )
            return ev, examples

    async def list(self, run_ref: str | None = None, limit: int = 50) -> list[Evaluation]:
        async with self.db.session() as session:
            query = select(Evaluation).order_by(Evaluation.created_at.desc()).limit(limit)
            if run_ref:
                from vibeflow.runs.service import RunService

                run = await RunService(session, self.settings).get(run_ref)
                query = query.where(Evaluation.run_id == run.id)
            evs = list(await session.scalars(query))
            await self._reconcile(session, evs)
            return evs
