"""Opens a sniffed file with its format's reader and counts its rows exactly as the importer reads them.

Kept apart from `readers` (which imports `datasets`) so the language server can count a recipe's data with the
importer's own readers — multi-line CSV cells, blank lines and bad rows included — without the heavy imports.
"""

from __future__ import annotations

from pathlib import Path

from vibeflow.data.detect import SourceInfo, sniff
from vibeflow.data.read_csv import CsvSource
from vibeflow.data.read_json import JsonSource
from vibeflow.data.read_jsonl import JsonlSource
from vibeflow.data.read_parquet import ParquetSource
from vibeflow.data.sources import BadRow, SlowPathNeeded, Source
from vibeflow.errors import DataFormatError

LISTED_BAD_ROWS = 100  # bad rows listed in an error's details (the count is always exact)

FORMAT_FIX = {
    "jsonl": "Each line must hold one JSON object ({...}). If the file is one JSON array or object, "
    "give it the .json extension.",
    "json": "The file must hold an array of objects, an object of equal-length arrays, or an object "
    'wrapping one such list ({"data": [...]}).',
    "csv": "Check that the first line holds the column names and that values containing the delimiter, "
    "quotes or line breaks are quoted.",
}


def open_source(info: SourceInfo) -> Source:
    if info.format == "jsonl":
        return JsonlSource(info)
    if info.format == "json":
        return JsonSource(info)
    if info.format == "parquet":
        return ParquetSource(info)
    return CsvSource(info)


def count_rows(path: str | Path) -> int:
    """Rows of `path` the importer can read (bad rows are left out, as `--skip-bad-rows` would).

    Raises the importer's DataFormatError (with a fix) when the file is not a dataset at all: an image, the
    wrong format, no rows, or mostly unreadable rows.
    """
    source = open_source(sniff(path))
    for slow in (False, True):
        bad_rows: list[BadRow] = []
        try:
            good = sum(len(batch) for batch in source.batches([], bad_rows, slow=slow))
        except SlowPathNeeded:
            continue
        if good == 0 and bad_rows:
            raise not_this_format(source, bad_rows, good, complete=True)
        if good == 0:
            raise no_rows(source)
        return good
    raise AssertionError("the slow path never asks for a slower one")  # pragma: no cover


def not_this_format(source: Source, bad_rows: list[BadRow], good: int, complete: bool) -> DataFormatError:
    first = bad_rows[0]
    label = source.row_label
    fmt = source.info.format.upper()
    counted = f"{len(bad_rows):,} of {len(bad_rows) + good:,}" if complete else f"{len(bad_rows):,}"
    return DataFormatError(
        f"This is not a readable {fmt} file: {counted} {label}s cannot be read; "
        f"{label} {first.line or first.row}: {first.reason}",
        fix=FORMAT_FIX.get(source.info.format, FORMAT_FIX["csv"]),
        file=str(source.info.path),
        line=first.line or first.row,
        details={"bad_rows": [b.to_dict() for b in bad_rows[:LISTED_BAD_ROWS]], "good_rows": good},
    )


def no_rows(source: Source) -> DataFormatError:
    what = "a header but no data rows" if source.info.format in ("csv", "tsv") else "no records"
    return DataFormatError(
        f"{source.info.path.name} has {what}",
        fix="Add examples to the file (or pick the right file).",
        file=str(source.info.path),
    )
