"""Stores trainer events exactly once, keeps the run row's progress current, and raises backend alerts.

Both paths — live stdout following and the events.jsonl re-sync — call `Ingestor.ingest`; the trainer's
`seq` is the idempotency key, so replaying a journal over events already seen stores nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.recipe.model import Recipe
from vibeflow.recipe.presets import resolve_training
from vibeflow.runs.alerts import Alert, AlertRules
from vibeflow.runs.bus import STATUS_CHANNEL, EventBus, run_channel
from vibeflow.runs.events import curve_points, number, payload_of
from vibeflow.store.db import Database
from vibeflow.store.models import DatasetVersion
from vibeflow.store.models_runs import Run, RunEvent, RunMetric

CHUNK = 500


def event_dict(row: RunEvent) -> dict[str, Any]:
    """The API/SSE shape of a stored event."""
    return {
        "seq": row.seq,
        "source": row.source,
        "source_seq": row.source_seq,
        "type": row.type,
        "ts": row.ts,
        **row.payload,
    }


async def lock_run(session: AsyncSession, run_id: str) -> Run | None:
    """Take the store's write lock, then read the run fresh: use it first in any session that adds events.

    Event numbers come from `run.event_seq`; two sessions (the follower and a stop request, say) that read it
    before either commits would both write the same number. A no-op UPDATE as the first statement makes the
    second writer wait for the first to commit (SQLite's write lock, a row lock elsewhere) before it reads.
    """
    await session.execute(
        update(Run)
        .where(Run.id == run_id)
        .values(event_seq=Run.event_seq)
        .execution_options(synchronize_session=False)
    )
    return await session.get(Run, run_id, populate_existing=True)


def add_backend_event(session: AsyncSession, run: Run, type_: str, payload: dict[str, Any]) -> RunEvent:
    """Append a backend-originated event (alert, status change) to the run's stream."""
    run.event_seq += 1
    row = RunEvent(
        run_id=run.id,
        seq=run.event_seq,
        source="backend",
        source_seq=None,
        type=type_,
        ts=round(time.time(), 3),
        payload=payload,
    )
    session.add(row)
    return row


async def upsert_metrics(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert curve points; a repeated (run, name, step) keeps the latest value (metrics re-emitted on resume)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), CHUNK):
        statement = insert(RunMetric).values(rows[start : start + CHUNK])
        statement = statement.on_conflict_do_update(
            index_elements=["run_id", "name", "step"],
            set_={"value": statement.excluded.value, "ts": statement.excluded.ts},
        )
        await session.execute(statement)


def _apply(run: Run, event: dict[str, Any]) -> bool:
    """Fold one trainer event into the run row; True when the change is worth a status notification."""
    kind = event["type"]
    if kind == "stage":
        run.stage = event.get("stage")
        detail = event.get("detail") or {}
        if run.stage == "completed":
            run.adapter_path = (
                detail.get("adapter_path") or detail.get("adapter_dir") or detail.get("output_dir")
            )
        return True
    if kind == "metrics":
        if isinstance(event.get("step"), int):
            run.step = event["step"]
        if isinstance(event.get("max_steps"), int):
            run.total_steps = event["max_steps"]
        for attr, key in (
            ("epoch", "epoch"),
            ("loss", "loss"),
            ("eval_loss", "eval_loss"),
            ("tokens_per_second", "tokens_per_s"),
            ("samples_per_second", "samples_per_s"),
            ("eta_seconds", "eta_s"),
        ):
            if key in event:
                setattr(run, attr, number(event[key]))
        return False
    if kind == "checkpoint":
        run.checkpoint_step = event.get("step")
        run.checkpoint_path = event.get("path")
        return False
    if kind == "error":
        run.error = {
            "type": event.get("error_type", "unknown"),
            "message": event.get("message", ""),
            "fix": event.get("fix", ""),
        }
        return True
    return False


class Ingestor:
    """Writes batches of trainer events for a run and publishes what was new on the bus."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.bus = bus
        self._rules: dict[str, AlertRules] = {}

    async def rules_for(self, session: AsyncSession, run: Run) -> AlertRules:
        rules = self._rules.get(run.id)
        if rules is None:
            recipe = Recipe.model_validate(run.recipe)
            rows = None
            if run.train_version_id:
                version = await session.get(DatasetVersion, run.train_version_id)
                rows = version.rows if version else None
            fired = await session.scalars(
                select(RunEvent.payload).where(
                    RunEvent.run_id == run.id, RunEvent.source == "backend", RunEvent.type == "alert"
                )
            )
            rules = AlertRules(resolve_training(recipe), rows, {p.get("kind", "") for p in fired})
            self._rules[run.id] = rules
        return rules

    def forget(self, run_id: str) -> None:
        self._rules.pop(run_id, None)

    def _add_alerts(
        self, session: AsyncSession, run: Run, alerts: Iterable[Alert], out: list[RunEvent]
    ) -> None:
        for alert in alerts:
            out.append(add_backend_event(session, run, "alert", alert.payload()))

    async def start_alerts(self, run_id: str) -> None:
        """Checks that need no metrics (tiny dataset × many epochs), raised once when a run starts."""
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None:
                return
            new: list[RunEvent] = []
            self._add_alerts(session, run, (await self.rules_for(session, run)).on_start(), new)
            await session.commit()
        self._publish(run_id, new)

    async def ingest(
        self, run_id: str, events: list[dict[str, Any]], journal_offset: int | None = None
    ) -> int:
        """Store the events not stored yet (by trainer seq); returns how many were new."""
        if not events and journal_offset is None:
            return 0
        new: list[RunEvent] = []
        notify = False
        async with self.db.session() as session:
            run = await lock_run(session, run_id)
            if run is None:
                return 0
            seqs = sorted({event["seq"] for event in events})
            seen: set[int] = set()
            for start in range(0, len(seqs), CHUNK):
                seen.update(
                    await session.scalars(
                        select(RunEvent.source_seq).where(
                            RunEvent.run_id == run_id,
                            RunEvent.source == "trainer",
                            RunEvent.source_seq.in_(seqs[start : start + CHUNK]),
                        )
                    )
                )
            rules = await self.rules_for(session, run)
            metrics: dict[tuple[str, int], dict[str, Any]] = {}
            for event in sorted(events, key=lambda e: e["seq"]):
                if event["seq"] in seen:
                    continue
                seen.add(event["seq"])
                run.event_seq += 1
                row = RunEvent(
                    run_id=run_id,
                    seq=run.event_seq,
                    source="trainer",
                    source_seq=event["seq"],
                    type=event["type"],
                    ts=float(event.get("ts") or time.time()),
                    payload=payload_of(event),
                )
                session.add(row)
                new.append(row)
                run.last_seq = max(run.last_seq, event["seq"])
                notify |= _apply(run, event)
                if event["type"] == "metrics" and isinstance(event.get("step"), int):
                    for name, value in curve_points(event):
                        metrics[(name, event["step"])] = {
                            "run_id": run_id,
                            "name": name,
                            "step": event["step"],
                            "value": value,
                            "ts": row.ts,
                        }
                    self._add_alerts(session, run, rules.on_metrics(event), new)
            await upsert_metrics(session, list(metrics.values()))
            if metrics:  # running cost (or time) vs estimate: one alert past +20 %
                from vibeflow.runs.budget_guard import drift_alerts

                self._add_alerts(session, run, await drift_alerts(session, run, rules.fired), new)
            if journal_offset is not None:
                run.journal_offset = max(run.journal_offset, journal_offset)
            await session.commit()
            summary = {"run_id": run.id, "status": run.status, "stage": run.stage, "step": run.step}
        self._publish(run_id, new)
        if notify:
            self.bus.publish(STATUS_CHANNEL, {"type": "run", **summary})
        return sum(1 for row in new if row.source == "trainer")

    def _publish(self, run_id: str, rows: list[RunEvent]) -> None:
        for row in rows:
            self.bus.publish(run_channel(run_id), event_dict(row))
