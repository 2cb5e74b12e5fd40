"""Run records: create a run from a recipe (data prepared, spec frozen), look runs up, read events and curves.

Launching, following and stopping processes is the queue's job (manager.py); this service only touches the
store, so the API, the CLI and the queue share one implementation of every query.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.data.versions import DatasetService
from vibeflow.errors import NotFoundError
from vibeflow.recipe.model import Recipe, resolve_base_model
from vibeflow.runs import budget_guard  # also registers the calibration finish hook
from vibeflow.runs.adjust import Suggestion, apply_changes, config_diff, diff_tree, effective_diff, suggest
from vibeflow.runs.datasets import DataPreparer
from vibeflow.runs.downsample import downsample
from vibeflow.runs.errors import RunError, RunStateError
from vibeflow.runs.events import CURVE_FIELDS
from vibeflow.runs.ingest import add_backend_event, event_dict
from vibeflow.runs.spec import build_spec
from vibeflow.settings import Settings
from vibeflow.store.models_runs import TERMINAL_STATUSES, Run, RunEvent, RunMetric


def new_run_id(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:20] or "run"
    return f"{slug}-{secrets.token_hex(3)}"


class RunService:
    """Store-level operations on runs for one session."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    # ---- creating ----------------------------------------------------------------------------------------
    async def create(
        self,
        recipe: Recipe,
        *,
        recipe_path: Path | None = None,
        base_dir: Path | None = None,
        parent: Run | None = None,
        relation: str | None = None,
        adjustments: dict[str, Any] | None = None,
        over_budget: bool = False,
    ) -> Run:
        """Prepare the data, freeze recipe and spec, and insert the run as `queued` — unless the budget
        guard refuses it (BudgetExceededError, HTTP 409; `over_budget=True` overrides)."""
        if recipe.compute.target == "cloud":
            from vibeflow.cloud.env import require

            require()  # the SkyPilot venv exists, else a CloudError whose fix is `vibeflow cloud setup`
        base = base_dir or (recipe_path.parent if recipe_path else Path.cwd())
        recipe = recipe.model_copy(update={"base_model": resolve_base_model(recipe.base_model, base)})
        datasets = DatasetService(self.session, self.settings)
        preparer = DataPreparer(datasets)
        if parent is not None and parent.train_version_id:  # lineage: a retry trains on the very same data
            prepared = await preparer.from_versions(parent.train_version_id, parent.test_version_id)
        else:
            prepared = await preparer.prepare(recipe, base)
        guarded = await budget_guard.guard_start(self.session, recipe, prepared, override=over_budget)
        project = await datasets.project()
        run_id = new_run_id(recipe.name)
        output_dir = self.settings.runs_dir / run_id
        spec = build_spec(
            recipe,
            run_id=run_id,
            output_dir=output_dir,
            train_path=prepared.train_path,
            eval_path=prepared.test_path,
            dataset_hash=prepared.dataset_hash,
        )
        run = Run(
            id=run_id,
            project_id=project.id,
            name=recipe.name,
            status="queued",
            method=recipe.method,
            preset=recipe.preset,
            base_model=recipe.base_model,
            recipe=recipe.model_dump(mode="json"),
            recipe_path=str(recipe_path) if recipe_path else None,
            spec=spec,
            train_version_id=prepared.train.id,
            test_version_id=prepared.test.id if prepared.test else None,
            dataset_hash=prepared.dataset_hash,
            parent_id=parent.id if parent else None,
            relation=relation,
            adjustments=adjustments or {},
            output_dir=str(output_dir),
            attempts=0,
            stop_requested=False,
            last_seq=0,
            event_seq=0,
            journal_offset=0,
        )
        self.session.add(run)
        note = {"status": "queued", "message": f"queued ({recipe.preset} preset, {recipe.method})"}
        if parent is not None:
            note["message"] = f"{relation} of {parent.id}"
            note["parent_id"] = parent.id
        add_backend_event(self.session, run, "status", note)
        budget_guard.record_start(self.session, run, guarded)
        await self.session.commit()
        return run

    async def retry_plan(self, ref: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        """What a retry would change: the suggestion, the new recipe and the diff (nothing is written)."""
        run = await self.get(ref)
        recipe = Recipe.model_validate(run.recipe)
        alerts = [e.payload for e in await self._events(run.id, types=["alert"])]
        suggestion = suggest(recipe, run.error, alerts, run.exit_code)
        if changes is not None:
            suggestion = Suggestion("requested changes", "apply the given changes", changes)
        new_dict = apply_changes(run.recipe, suggestion.changes)
        try:
            new_recipe = Recipe.model_validate(new_dict)
        except ValueError as error:
            raise RunError(
                f"the retry changes make an invalid recipe: {error}", fix="adjust the requested changes"
            ) from error
        diff = config_diff(run.recipe, new_recipe.model_dump(mode="json"))
        return {
            "run": run,
            "suggestion": suggestion,
            "recipe": new_recipe,
            "diff": diff,
            "effective_diff": effective_diff(recipe, new_recipe),
            "tree": diff_tree(diff),
        }

    async def retry(self, ref: str, changes: dict[str, Any] | None = None) -> tuple[Run, dict[str, Any]]:
        """A new run of a finished run's recipe with the suggested (or given) changes; records lineage + diff."""
        plan = await self.retry_plan(ref, changes)
        parent: Run = plan["run"]
        if parent.status not in TERMINAL_STATUSES:
            raise RunStateError(
                f"run {parent.id} is still {parent.status}",
                fix=f"stop it first: vibeflow runs stop {parent.id}",
            )
        adjustments = {
            "reason": plan["suggestion"].reason,
            "fix": plan["suggestion"].fix,
            "changes": plan["suggestion"].changes,
            "diff": plan["diff"],
            "effective_diff": plan["effective_diff"],
        }
        base = Path(parent.recipe_path).parent if parent.recipe_path else None
        run = await self.create(
            plan["recipe"],
            recipe_path=Path(parent.recipe_path) if parent.recipe_path else None,
            base_dir=base,
            parent=parent,
            relation="retry",
            adjustments=adjustments,
        )
        return run, adjustments

    # ---- reading -----------------------------------------------------------------------------------------
    async def get(self, ref: str) -> Run:
        """A run by id or unique id prefix."""
        run = await self.session.get(Run, ref)
        if run is not None:
            return run
        matches = list(await self.session.scalars(select(Run).where(Run.id.startswith(ref)).limit(2)))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise RunError(f"run id {ref!r} is ambiguous", fix="type more characters of the id")
        raise NotFoundError(f"run {ref!r} not found", fix="list runs with `vibeflow runs list`")

    async def refresh(self, run: Run) -> Run:
        await self.session.refresh(run)
        return run

    async def list(self, *, status: str | None = None, name: str | None = None, limit: int = 50) -> list[Run]:
        query = select(Run).order_by(Run.created_at.desc()).limit(limit)
        if status:
            query = query.where(Run.status == status)
        if name:
            query = query.where(Run.name == name)
        return list(await self.session.scalars(query))

    async def _events(
        self, run_id: str, *, after_seq: int = 0, limit: int | None = None, types: list[str] | None = None
    ) -> list[RunEvent]:
        query = (
            select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after_seq).order_by(RunEvent.seq)
        )
        if types:
            query = query.where(RunEvent.type.in_(types))
        if limit:
            query = query.limit(limit)
        return list(await self.session.scalars(query))

    async def events(
        self, ref: str, *, after_seq: int = 0, limit: int = 200, types: list[str] | None = None
    ) -> dict[str, Any]:
        run = await self.get(ref)
        rows = await self._events(run.id, after_seq=after_seq, limit=limit, types=types)
        next_seq = rows[-1].seq if rows else after_seq
        return {
            "run_id": run.id,
            "events": [event_dict(r) for r in rows],
            "next_seq": next_seq,
            "last_seq": run.event_seq,
            "has_more": next_seq < run.event_seq and len(rows) == limit,
        }

    async def metric_names(self, run_id: str) -> list[str]:
        names = await self.session.scalars(
            select(RunMetric.name).where(RunMetric.run_id == run_id).distinct()
        )
        order = {name: index for index, name in enumerate(CURVE_FIELDS)}
        return sorted(names, key=lambda n: (order.get(n, len(order)), n))

    async def metrics(
        self, ref: str, *, names: list[str] | None = None, max_points: int = 500, method: str = "minmax"
    ) -> dict[str, Any]:
        """Curves, each downsampled to at most `max_points` (first and last point always kept)."""
        run = await self.get(ref)
        series: dict[str, Any] = {}
        for name in names or await self.metric_names(run.id):
            rows = (
                await self.session.execute(
                    select(RunMetric.step, RunMetric.value)
                    .where(RunMetric.run_id == run.id, RunMetric.name == name)
                    .order_by(RunMetric.step)
                )
            ).all()
            points = [(step, value) for step, value in rows if value is not None]
            sampled = downsample(points, max_points, method)
            series[name] = {
                "points": [list(p) for p in sampled],
                "total": len(points),
                "downsampled": len(sampled) < len(points),
                "nonfinite_steps": [step for step, value in rows if value is None][:100],
            }
        count = await self.session.scalar(
            select(func.count()).select_from(RunMetric).where(RunMetric.run_id == run.id)
        )
        return {
            "run_id": run.id,
            "max_points": max_points,
            "method": method,
            "series": series,
            "stored_points": count,
        }
