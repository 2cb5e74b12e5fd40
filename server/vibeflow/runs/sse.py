"""Server-sent event streams: one run's events (store catch-up, then live) and every run's status changes.

A stream subscribes to the bus before reading the store, then de-duplicates by `seq`, so an event committed
between the two is neither lost nor sent twice; a client reconnecting with Last-Event-ID resumes exactly.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from vibeflow.runs.bus import STATUS_CHANNEL, EventBus, run_channel
from vibeflow.runs.service import RunService
from vibeflow.runs.summary import run_summary
from vibeflow.store.db import Database
from vibeflow.store.models_runs import ACTIVE_STATUSES, TERMINAL_STATUSES

KEEPALIVE_S = 15.0
PAGE = 500


def sse(data: dict[str, Any], event: str | None = None, id_: int | None = None) -> str:
    head = (f"id: {id_}\n" if id_ is not None else "") + (f"event: {event}\n" if event else "")
    return f"{head}data: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _ends(item: dict[str, Any]) -> bool:
    return (
        item.get("type") == "status"
        and item.get("source") == "backend"
        and item.get("status") in TERMINAL_STATUSES
    )


async def run_events(
    db: Database,
    settings: Any,
    bus: EventBus,
    run_id: str,
    after_seq: int = 0,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """Every event of a run after `after_seq`; ends with `event: end` once the run has finished."""
    cursor = after_seq
    async with bus.subscribe(run_channel(run_id)) as queue:
        async with db.session() as session:  # status first: if it is final, every event is already stored
            status = (await RunService(session, settings).get(run_id)).status
        while True:  # catch up from the store
            async with db.session() as session:
                page = await RunService(session, settings).events(run_id, after_seq=cursor, limit=PAGE)
            for item in page["events"]:
                yield sse(item, item["type"], item["seq"])
                cursor = item["seq"]
            if len(page["events"]) < PAGE:
                break
        if status in TERMINAL_STATUSES:
            yield sse({"run_id": run_id, "status": status}, "end")
            return
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), keepalive_s)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if item["seq"] <= cursor:
                continue
            if item["seq"] > cursor + 1:  # the bus dropped items for a slow client: refill from the store
                async with db.session() as session:
                    missing = await RunService(session, settings).events(
                        run_id, after_seq=cursor, limit=item["seq"] - cursor - 1
                    )
                for old in missing["events"]:
                    yield sse(old, old["type"], old["seq"])
            yield sse(item, item["type"], item["seq"])
            cursor = item["seq"]
            if _ends(item):
                yield sse({"run_id": run_id, "status": item["status"]}, "end")
                return


async def status_changes(
    db: Database,
    settings: Any,
    bus: EventBus,
    max_events: int | None = None,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """A snapshot of active and recent runs, then one `run` event per status/stage change of any run."""
    async with bus.subscribe(STATUS_CHANNEL) as queue:
        async with db.session() as session:
            runs = await RunService(session, settings).list(limit=50)
        yield sse(
            {
                "runs": [run_summary(r) for r in runs],
                "active": [r.id for r in runs if r.status in ACTIVE_STATUSES],
            },
            "snapshot",
        )
        sent = 0
        while max_events is None or sent < max_events:
            try:
                item = await asyncio.wait_for(queue.get(), keepalive_s)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            yield sse(item, "run")
            sent += 1
