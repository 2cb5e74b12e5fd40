"""Public entry points of the data importer: load any supported file into canonical records, or preview it.

`load_source` sniffs the file, reads a head sample to choose the column mapping, then streams the whole file
through a format reader and the vectorised converter into an Arrow file under the cache directory, which
comes back as a memory-mapped `datasets.Dataset` with exactly the canonical columns.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import orjson

from vibeflow.data.arrow_cache import CanonicalWriter, file_sha256
from vibeflow.data.convert import py_text, raw_table, to_canonical
from vibeflow.data.detect import SourceInfo, sniff
from vibeflow.data.prefetch import prefetch
from vibeflow.data.profile import ColumnProfile, column_names, profile_columns
from vibeflow.data.reading import FORMAT_FIX, LISTED_BAD_ROWS, no_rows, not_this_format, open_source
from vibeflow.data.shapes import FIX, ColumnMapping, detect_mapping, explicit_mapping
from vibeflow.data.sources import BadRow, Head, SlowPathNeeded, Source
from vibeflow.errors import BadRowsError, DataFormatError, MappingError

__all__ = ["ColumnMapping", "ImportResult", "detect_format", "load_source", "preview_columns"]

SAMPLE_ROWS = 1000  # rows profiled to choose the mapping (the same head for load and preview)
PREVIEW_CHARS = 1000

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """A source file loaded as canonical records, with how it was read and which rows were skipped."""

    dataset: datasets.Dataset
    format: str
    mapping: ColumnMapping
    source_path: str
    source_sha256: str
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable description (everything but the dataset itself)."""
        return {
            "rows": self.dataset.num_rows,
            "format": self.format,
            "mapping": self.mapping.to_dict(),
            "source_path": self.source_path,
            "source_sha256": self.source_sha256,
            "skipped": self.skipped,
        }


def detect_format(path: str | Path) -> str:
    """csv | tsv | json | jsonl | parquet, judged from the extension and the first bytes."""
    return sniff(path).format


def load_source(
    path: str | Path,
    *,
    input_col: str | list[str] | None = None,
    output_col: str | None = None,
    system_col: str | None = None,
    skip_bad_rows: bool = False,
    min_confidence: float = 0.6,
    progress: Progress | None = None,
) -> ImportResult:
    """Import `path` as canonical records; raises DataFormatError, MappingError or BadRowsError with a fix.

    Columns named explicitly are used as given (confidence 1.0 when both sides are named); otherwise the
    detected mapping must reach `min_confidence`. `progress(done, total)` counts source bytes (CSV/TSV,
    JSONL, JSON arrays) or records (Parquet, JSON objects); its last call has done == total.
    """
    info = sniff(path)
    source = open_source(info)
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(file_sha256, info.path, cancel)  # hashes beside the import (GIL released)
        try:
            head = source.head(SAMPLE_ROWS)
            profiles = _profiles(source, head)
            mapping = _choose_mapping(info, profiles, input_col, output_col, system_col, min_confidence)
            writer, bad_rows = _convert(source, mapping, skip_bad_rows, progress)
            with writer:
                _check_rows(source, writer.rows, bad_rows, skip_bad_rows)
                sha = digest.result()
                dataset = writer.finish(_cache_name(sha, mapping, skip_bad_rows))
        except BaseException:
            cancel.set()
            raise
    return ImportResult(
        dataset=dataset,
        format=info.format,
        mapping=mapping,
        source_path=str(info.path.resolve()),
        source_sha256=sha,
        skipped=[bad.to_dict() for bad in bad_rows],
    )


def preview_columns(path: str | Path, *, rows: int = 20, min_confidence: float = 0.6) -> dict[str, Any]:
    """Columns, first rows and the detected mapping (or why there is none) for a manual-mapping UI."""
    info = sniff(path)
    source = open_source(info)
    head = source.head(max(rows, SAMPLE_ROWS))
    profiles = _profiles(source, head)
    preview: dict[str, Any] = {
        "path": str(info.path.resolve()),
        "format": info.format,
        "delimiter": info.delimiter,
        "columns": [p.to_dict() for p in profiles.values()],
        "rows": [_jsonable(r) for r in head.records[:rows]],
        "bad_rows": [b.to_dict() for b in head.bad_rows[:LISTED_BAD_ROWS]],
        "mapping": None,
        "confidence": 0.0,
        "needs_manual_mapping": True,
        "min_confidence": min_confidence,
        "error": None,
    }
    try:
        mapping = detect_mapping(profiles)
    except MappingError as error:
        error.file = str(info.path)
        preview["error"] = error.to_dict()
        return preview
    preview.update(
        mapping=mapping.to_dict(),
        confidence=mapping.confidence,
        needs_manual_mapping=mapping.confidence < min_confidence,
    )
    return preview


# ---- steps ----------------------------------------------------------------------------------------------


def _profiles(source: Source, head: Head) -> dict[str, ColumnProfile]:
    file = str(source.info.path)
    if not head.records:
        if head.bad_rows:
            first = head.bad_rows[0]
            label = source.row_label
            raise DataFormatError(
                f"No readable {label}s at the start of the file; {label} {first.line or first.row}: {first.reason}",
                fix=FORMAT_FIX.get(source.info.format, FORMAT_FIX["csv"]),
                file=file,
                line=first.line or first.row,
            )
        raise no_rows(source)
    names = getattr(source, "names", None) or column_names(head.records)
    return profile_columns(head.records, names)


def _choose_mapping(
    info: SourceInfo,
    profiles: dict[str, ColumnProfile],
    input_col: str | Sequence[str] | None,
    output_col: str | None,
    system_col: str | None,
    min_confidence: float,
) -> ColumnMapping:
    try:
        if input_col or output_col or system_col:
            mapping = explicit_mapping(profiles, input_col, output_col, system_col)
        else:
            mapping = detect_mapping(profiles)
    except MappingError as error:
        error.file = str(info.path)
        raise
    if not (input_col or output_col) and mapping.confidence < min_confidence:
        guess = f"input {' + '.join(mapping.input)}" + (
            f" → output {mapping.output}" if mapping.output else ""
        )
        raise MappingError(
            f"Not sure which columns are the prompt and the answer (confidence {mapping.confidence:.0%}, "
            f"needs {min_confidence:.0%}); best guess: {guess}",
            fix=FIX,
            file=str(info.path),
            details={
                "columns": list(profiles),
                "profiles": [p.to_dict() for p in profiles.values()],
                "best_guess": mapping.to_dict(),
                "min_confidence": min_confidence,
            },
        )
    return mapping


def _convert(
    source: Source, mapping: ColumnMapping, skip_bad_rows: bool, progress: Progress | None
) -> tuple[CanonicalWriter, list[BadRow]]:
    """Stream every batch through the converter into a cache file; restart slowly if a fast reader asks."""
    for slow in (False, True):
        writer = CanonicalWriter()
        bad_rows: list[BadRow] = []
        try:
            with prefetch(source.batches(mapping.used, bad_rows, slow=slow)) as batches:
                for batch in batches:
                    if len(batch):
                        table = (
                            batch.table
                            if batch.table is not None
                            else raw_table(batch.records or [], mapping)
                        )
                        writer.write(to_canonical(table, mapping, batch.rows))
                    if progress:
                        progress(batch.done, source.total)
                    if not skip_bad_rows and len(bad_rows) > 1000 and len(bad_rows) > writer.rows:
                        raise not_this_format(source, bad_rows, writer.rows, complete=False)
        except SlowPathNeeded:
            writer.abort()
            continue
        except BaseException:
            writer.abort()
            raise
        if progress:
            progress(source.total, source.total)
        return writer, bad_rows
    raise AssertionError("the slow path never asks for a slower one")  # pragma: no cover


def _check_rows(source: Source, good: int, bad_rows: list[BadRow], skip_bad_rows: bool) -> None:
    if bad_rows and (good == 0 or (not skip_bad_rows and len(bad_rows) > good)):
        raise not_this_format(source, bad_rows, good, complete=True)
    if bad_rows and not skip_bad_rows:
        first = bad_rows[0]
        label = source.row_label
        where = f"{label} {first.row}" + (
            f" (line {first.line})" if first.line and first.line != first.row else ""
        )
        raise BadRowsError(
            f"{len(bad_rows):,} of {len(bad_rows) + good:,} {label}s cannot be read; first at {where}: {first.reason}",
            fix=f"Fix or delete the listed {label}s, or re-run with --skip-bad-rows to import the "
            f"{_count(good, 'good ' + label)} without them.",
            file=str(source.info.path),
            line=first.line or first.row,
            details={
                "bad_rows": [b.to_dict() for b in bad_rows[:LISTED_BAD_ROWS]],
                "bad_row_count": len(bad_rows),
                "good_rows": good,
            },
        )
    if good == 0:
        raise no_rows(source)


def _cache_name(sha: str, mapping: ColumnMapping, skip_bad_rows: bool) -> str:
    key = orjson.dumps([mapping.shape, mapping.input, mapping.output, mapping.system, skip_bad_rows])
    return f"{sha[:20]}-{hashlib.sha256(key).hexdigest()[:12]}.arrow"


def _count(n: int, label: str) -> str:
    return f"{n:,} {label}" + ("" if n == 1 else "s")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return value if len(value) <= PREVIEW_CHARS else value[: PREVIEW_CHARS - 1] + "…"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return py_text(value)
