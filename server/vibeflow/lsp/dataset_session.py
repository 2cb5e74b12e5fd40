"""One open dataset file: checks it in chunks on open, re-checks edited lines, and publishes debounced diagnostics.

Open: basic checks of every line (chunked, so hovers and edits of other files still get answered), first
publish, then the background deep pass (PII, over-context) with `$/progress`, then a final publish.
Edit: the changed lines are re-checked at once and a publish is scheduled after a short quiet period.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import orjson

from vibeflow.lsp import publish
from vibeflow.lsp.dataset_index import DatasetIndex, JsonlIndex
from vibeflow.lsp.dataset_rows import RowSchema, infer_schema
from vibeflow.lsp.dataset_tables import CsvIndex, JsonArrayIndex, TableIndex
from vibeflow.lsp.documents import Edit, LineDocument
from vibeflow.lsp.guard import report_failure
from vibeflow.lsp.options import Options
from vibeflow.lsp.progress import WorkProgress

if TYPE_CHECKING:
    from vibeflow.lsp.server import VibeFlowServer

logger = logging.getLogger("vibeflow.lsp")

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
JSON_SUFFIXES = (".json",)
DATASET_SUFFIXES = (*JSONL_SUFFIXES, *CSV_SUFFIXES, *JSON_SUFFIXES)


@dataclass(frozen=True)
class DatasetContext:
    """What the recipe says about this dataset (defaults when no recipe references it)."""

    max_tokens: int = 1024
    base_model: str = "vibeflow-demo-tiny"
    input_column: str | tuple[str, ...] | None = None
    output_column: str | None = None
    recipe_uri: str | None = field(default=None, compare=False)


def dataset_format(uri: str) -> str | None:
    suffix = PurePath(uri.split("?", 1)[0]).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSON_SUFFIXES:
        return "json"
    return None


def _jsonl_sample(lines: list[str], limit: int = 500) -> list[dict[str, Any]]:
    sample: list[dict[str, Any]] = []
    for line in lines:
        if len(sample) >= limit:
            break
        if line.strip():
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(value, dict):
                sample.append(value)
    return sample


def make_index(doc: LineDocument, context: DatasetContext) -> DatasetIndex:
    fmt = dataset_format(doc.uri) or "jsonl"
    base = RowSchema(max_tokens=context.max_tokens)
    if context.input_column or context.output_column:
        base = infer_schema([], context.max_tokens, context.input_column, context.output_column)
    if fmt == "csv":
        suffix = PurePath(doc.uri).suffix.lower()
        return CsvIndex(base, CSV_SUFFIXES.get(suffix, ","))
    if fmt == "json":
        return JsonArrayIndex(base)
    schema = base if base.source == "recipe" else infer_schema(_jsonl_sample(doc.lines), context.max_tokens)
    index = JsonlIndex(schema)
    index.reset(len(doc.lines))
    return index


class DatasetSession:
    """Owns the index of one open dataset document and its background checking task."""

    def __init__(
        self, server: VibeFlowServer, doc: LineDocument, context: DatasetContext, options: Options
    ) -> None:
        self.server = server
        self.doc = doc
        self.context = context
        self.options = options
        self.index = make_index(doc, context)
        self.task: asyncio.Task[None] | None = None
        self.publish_cost = 0.0
        self.published_version: int | None = None
        self.first_published = asyncio.Event()

    @property
    def name(self) -> str:
        return PurePath(self.doc.uri).name

    def start(self) -> None:
        self.task = asyncio.create_task(self._check_all())

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.server.status.idle(self.doc.uri)

    async def _check_all(self) -> None:
        big = len(self.doc.lines) >= self.options.progress_min_lines
        progress = WorkProgress(self.server, f"VibeFlow: checking {self.name}")
        starting: asyncio.Task[None] | None = None
        try:
            if big:
                self.server.status.busy(self.doc.uri, f"Checking {self.name}")
                starting = asyncio.create_task(progress.start("row checks"))
            total = max(1, len(self.doc.lines))
            while not self.index.basic_pass(self.doc.lines, self.options.basic_chunk):
                progress.report(self.index.basic_cursor, 2 * total, "row checks")
                await asyncio.sleep(0)
            self.publish_now()
            if big:
                gc.freeze()  # the per-line state is long-lived: keep it out of every later GC pass
            if self.options.deep_checks:
                await self._deep(progress, total)
            if starting is not None:
                await starting
            progress.end(f"{self.index.record_count():,} records checked")
        except asyncio.CancelledError:
            progress.end("cancelled")
            raise
        except Exception as error:  # noqa: BLE001 - a broken file must not break the server
            report_failure(self.server, f"checking {self.name}", error)
            progress.end("failed")
        finally:
            self.server.status.idle(self.doc.uri)

    async def _deep(self, progress: WorkProgress, total: int) -> None:
        from vibeflow.lsp.scanners import pii_finder, token_counter

        counter, exact = await asyncio.to_thread(token_counter, self.context.base_model)
        self.index.count_tokens = counter
        self.index.token_label = "tokens" if exact else "tokens (estimated)"
        self.index.find_pii = pii_finder()
        self.index.deep_enabled = True
        if isinstance(self.index, TableIndex):
            self.index.dirty = True  # re-run record checks now that token counts are available
        while not self.index.deep_pass(self.doc.lines, self.options.deep_chunk):
            progress.report(total + self.index.deep_cursor, 2 * total, "PII and length checks")
            await asyncio.sleep(0)
        self.publish_now()

    def on_edit(self, edit: Edit) -> None:
        self.index.apply_edit(edit, self.doc.lines)

    def schedule_publish(self) -> None:
        delay = max(
            self.options.debounce_ms / 1000,
            2 * self.publish_cost if isinstance(self.index, TableIndex) else 0.0,
        )
        self.server.debouncer.schedule(self.doc.uri, delay)

    def publish_now(self) -> None:
        started = time.perf_counter()
        if isinstance(self.index, TableIndex) and self.index.dirty:
            self.index.rebuild(self.doc.lines)
        limit = self.options.max_diagnostics
        snapshot = self.index.snapshot(limit)
        diagnostics = publish.build(self.doc, snapshot.items, snapshot.total, len(snapshot.items))
        publish.send(self.server, self.doc.uri, self.doc.version, diagnostics)
        self.published_version = self.doc.version
        self.publish_cost = time.perf_counter() - started
        self.first_published.set()
