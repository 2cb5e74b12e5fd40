"""Usage metering: the gateway appends one record per request to a memory buffer that is flushed to the store
every second (off the request path), and summaries compute requests, tokens, cost, latency percentiles and
error rate per deployment, per day and per A/B arm."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from vibeflow.store.models_serving import UsageRecord

log = logging.getLogger(__name__)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of unsorted values; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return round(ordered[rank - 1], 3)


def summarise(rows: list[Any]) -> dict[str, Any]:
    """Aggregate usage rows (objects with status, latency_ms, input/output_tokens, cost_usd)."""
    latencies = [r.latency_ms for r in rows if r.status < 400]
    errors = sum(1 for r in rows if r.status >= 400)
    return {
        "requests": len(rows),
        "errors": errors,
        "error_rate": round(errors / len(rows), 4) if rows else 0.0,
        "input_tokens": sum(r.input_tokens for r in rows),
        "output_tokens": sum(r.output_tokens for r in rows),
        "cost_usd": round(sum(r.cost_usd for r in rows), 6),
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
        },
    }


class Meter:
    """Buffers usage records and writes them in batches; `flush()` is awaited on shutdown and before reads."""

    def __init__(self, db: Any, interval_s: float = 1.0) -> None:
        self.db = db
        self.interval_s = interval_s
        self._buffer: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def record(self, **fields: Any) -> None:
        now = time.time()
        fields.setdefault("ts", now)
        fields.setdefault("day", datetime.fromtimestamp(fields["ts"], UTC).strftime("%Y-%m-%d"))
        self._buffer.append(fields)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - keep metering; the rows stay buffered for the next try
                log.exception("usage flush failed")

    async def flush(self) -> None:
        async with self._lock:
            if not self._buffer:
                return
            batch, self._buffer = self._buffer, []
            try:
                async with self.db.session() as session:
                    await session.execute(insert(UsageRecord), batch)
                    await session.commit()
            except Exception:
                self._buffer[:0] = batch
                raise

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self.flush()


async def usage_report(
    session: Any, deployment_id: str, days: int, versions: dict[int, str]
) -> dict[str, Any]:
    """Totals, per-day and per-arm (version) summaries for the last `days` UTC days."""
    since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
    rows = list(
        (
            await session.execute(
                select(UsageRecord).where(
                    UsageRecord.deployment_id == deployment_id, UsageRecord.day >= since
                )
            )
        ).scalars()
    )
    by_day: dict[str, list[Any]] = defaultdict(list)
    by_arm: dict[int | None, list[Any]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
        by_arm[row.version_id].append(row)
    return {
        "deployment_id": deployment_id,
        "since": since,
        "total": summarise(rows),
        "by_day": [{"day": day, **summarise(items)} for day, items in sorted(by_day.items())],
        "by_version": [
            {"version_id": vid, "version": versions.get(vid) if vid is not None else None, **summarise(items)}
            for vid, items in sorted(by_arm.items(), key=lambda kv: kv[0] or 0)
        ],
    }
