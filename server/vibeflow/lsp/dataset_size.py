"""Counts the records of a recipe's dataset file (cached by size and mtime) so recipe advice knows the data size.

The count comes from the importer's own readers (`vibeflow.data.reading.count_rows`): multi-line CSV cells,
blank lines and unreadable rows are counted as an import would count them, so the hover, the diagnostics and
the CodeLens estimate quote the rows that will train. A file that is not a dataset keeps the importer's error.
"""

from __future__ import annotations

import functools
from pathlib import Path

from vibeflow.errors import VibeFlowError


@functools.lru_cache(maxsize=64)
def _count(path: str, size: int, mtime_ns: int) -> int | VibeFlowError:
    from vibeflow.data.reading import count_rows

    try:
        return count_rows(path)
    except VibeFlowError as error:
        return error
    except OSError as error:
        return VibeFlowError(
            f"cannot read {path}: {error.strerror or error}", fix="check the file's permissions"
        )


def _counted(path: Path) -> int | VibeFlowError | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return _count(str(path), stat.st_size, stat.st_mtime_ns)


def count_records(path: Path) -> int | None:
    """Records the importer reads from `path`, or None when it is missing or not a readable dataset."""
    counted = _counted(path)
    return counted if isinstance(counted, int) else None


def read_error(path: Path) -> VibeFlowError | None:
    """Why the importer cannot read `path` as a dataset (None when it can, or when the file is missing)."""
    counted = _counted(path)
    return counted if isinstance(counted, VibeFlowError) else None


OUTPUT_KEYS = ("response", "output", "completion", "answer", "chosen", "target")
SAMPLE = 500
CHARS_PER_TOKEN = 4.0


def _split(record: dict, output_column: str | None) -> tuple[int, int]:
    """(input chars, output chars) of one record: assistant turns / the output column vs the rest."""
    from vibeflow.lsp.dataset_rows import CONVERSATION_KEYS, record_text

    for key in CONVERSATION_KEYS:
        turns = record.get(key)
        if isinstance(turns, list):
            out = sum(
                len(str(t.get("content", t.get("value", ""))))
                for t in turns
                if isinstance(t, dict) and t.get("role", t.get("from")) in ("assistant", "gpt", "model")
            )
            return max(0, len(record_text(turns)) - out), out
    name = output_column or next((k for k in OUTPUT_KEYS if k in record), None)
    out_text = record_text(record.get(name)) if name else ""
    rest = record_text({k: v for k, v in record.items() if k != name})
    return len(rest), len(out_text)


def sample_records(path: Path, lines: list[str] | None = None) -> list[dict]:
    """Up to SAMPLE records from the open buffer (`lines`) or the head of the file."""
    import csv
    import io

    import orjson

    suffix = path.suffix.lower()
    if lines is None:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                head = handle.read(4 << 20)
        except OSError:
            return []
        lines = head.split("\n")
    if suffix in {".csv", ".tsv", ".tab"}:
        reader = csv.DictReader(
            io.StringIO("\n".join(lines[: SAMPLE + 1])), delimiter="," if suffix == ".csv" else "\t"
        )
        return [dict(r) for r in reader][:SAMPLE]
    if suffix == ".json":
        try:
            value = orjson.loads("\n".join(lines))
        except orjson.JSONDecodeError:
            return []
        return [r for r in value[:SAMPLE] if isinstance(r, dict)] if isinstance(value, list) else []
    out: list[dict] = []
    for line in lines:
        if len(out) >= SAMPLE:
            break
        try:
            value = orjson.loads(line) if line.strip() else None
        except orjson.JSONDecodeError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def data_stats(
    path: Path, rows: int | None = None, lines: list[str] | None = None, output_column: str | None = None
) -> dict | None:
    """Rows and approximate token lengths (characters / 4) in the shape the estimator's recipe adapter takes."""
    rows = count_records(path) if rows is None else rows
    if not rows:
        return None
    sample = sample_records(path, lines)
    pairs = [_split(r, output_column) for r in sample]
    if not pairs:
        return {"rows": rows, "approximate": True}
    n = len(pairs)
    return {
        "rows": rows,
        "avg_tokens_in": sum(a for a, _ in pairs) / n / CHARS_PER_TOKEN,
        "avg_tokens_out": sum(b for _, b in pairs) / n / CHARS_PER_TOKEN,
        "max_tokens": max(a + b for a, b in pairs) / CHARS_PER_TOKEN,
        "approximate": True,
    }
