"""Decide what a source file is (format, encoding, CSV delimiter) from its name and first bytes, before reading it."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import orjson

from vibeflow.errors import DataFormatError, NotFoundError

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet")

EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

HEAD_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";", "|")
# A head with at least 8 undecodable characters that are more than this share of it, or with no valid
# non-ASCII character at all, is in a legacy encoding (Latin-1, Windows-1252...), not damaged UTF-8.
MAX_DAMAGED_SHARE = 0.02

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document (.xls/.doc)"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

SUPPORTED_HINT = "Supported files: .csv, .tsv, .json, .jsonl (.ndjson), .parquet."
RESAVE_FIX = (
    "Re-save the file as UTF-8 (in Excel: Save As → 'CSV UTF-8'; in an editor: 'Save with Encoding → UTF-8')."
)


@dataclass(frozen=True)
class SourceInfo:
    """What `sniff` learned about a file: its format, size, first bytes and (for CSV/TSV) the delimiter."""

    path: Path
    format: str
    size: int
    head: bytes
    delimiter: str | None = None

    @property
    def has_bom(self) -> bool:
        return self.head.startswith(codecs.BOM_UTF8)


def detect_format(path: str | Path) -> str:
    """Return one of FORMATS for `path`, or raise a DataFormatError saying why the file cannot be imported."""
    return sniff(path).format


def sniff(path: str | Path) -> SourceInfo:
    """Check that `path` is a readable, non-empty, text-or-Parquet file and work out how to read it."""
    p = Path(path).expanduser()
    if not p.exists():
        raise NotFoundError(f"File not found: {p}", fix="Check the path and try again.", file=str(p))
    if p.is_dir():
        raise DataFormatError(
            f"{p} is a folder, not a file", fix="Pick one data file inside the folder.", file=str(p)
        )
    ext = _extension(p)
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        what = f"extension '{ext}'" if ext else "no extension"
        raise DataFormatError(
            f"Unknown file type: {p.name} has {what}",
            fix=f"Rename the file to the extension that matches its content. {SUPPORTED_HINT}",
            file=str(p),
        )
    size = p.stat().st_size
    with p.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if fmt == "parquet":
        if not head.startswith(b"PAR1"):
            raise DataFormatError(
                f"{p.name} is not a Parquet file (it does not start with the Parquet signature)",
                fix=f"Export the data as Parquet again, or give the file the extension of its real format. {SUPPORTED_HINT}",
                file=str(p),
            )
        return SourceInfo(p, fmt, size, head)
    _check_text(p, head, size)
    if fmt in ("json", "jsonl"):
        fmt = _json_flavour(head, fmt)
        return SourceInfo(p, fmt, size, head)
    return SourceInfo(p, fmt, size, head, delimiter=sniff_delimiter(_decode_head(head), fmt))


def _extension(p: Path) -> str:
    return p.suffix.lower()


def _check_text(p: Path, head: bytes, size: int) -> None:
    """Reject empty, binary and non-UTF-8 files with a message that says what the file seems to be."""
    for bom, name in _UTF16_32_BOMS:
        if head.startswith(bom) and not head.startswith(codecs.BOM_UTF8):
            raise DataFormatError(
                f"{p.name} is encoded as {name}, not UTF-8", fix=RESAVE_FIX, file=str(p), line=1
            )
    body = head[len(codecs.BOM_UTF8) :] if head.startswith(codecs.BOM_UTF8) else head
    if size == 0 or (size <= HEAD_BYTES and not body.strip()):
        raise DataFormatError(
            f"{p.name} is empty", fix="Add examples to the file (or pick the right file).", file=str(p)
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise DataFormatError(
                f"{p.name} is {what}, not a {p.suffix.lstrip('.').upper()} text file",
                fix=f"Export the data as CSV, JSON Lines or Parquet and import that file. {SUPPORTED_HINT}",
                file=str(p),
            )
    if b"\x00" in head:
        raise DataFormatError(
            f"{p.name} is a binary file, not a {p.suffix.lstrip('.').upper()} text file",
            fix=f"Export the data as text (CSV or JSON Lines) and import that file. {SUPPORTED_HINT}",
            file=str(p),
            line=head[: head.index(b"\x00")].count(b"\n") + 1,
        )
    text = _decode_head(head)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.1 * len(text):
        raise DataFormatError(
            f"{p.name} is a binary file, not a {p.suffix.lstrip('.').upper()} text file",
            fix=f"Export the data as text (CSV or JSON Lines) and import that file. {SUPPORTED_HINT}",
            file=str(p),
        )
    damaged = text.count("\ufffd")
    valid_non_ascii = sum(1 for ch in text if ord(ch) > 127) - damaged
    if damaged >= 8 and (damaged > MAX_DAMAGED_SHARE * len(text) or valid_non_ascii == 0):
        first = head.decode("utf-8", errors="replace").index("\ufffd")
        raise DataFormatError(
            f"{p.name} is not UTF-8 text: {damaged} of the first {len(text)} characters cannot be decoded "
            "(it is probably saved as Latin-1/Windows-1252 or another legacy encoding)",
            fix=RESAVE_FIX,
            file=str(p),
            line=text[:first].count("\n") + 1,
        )


def _decode_head(head: bytes) -> str:
    """Decode the head as UTF-8 (dropping a BOM), ignoring a multi-byte character cut at the end."""
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head, final=False)
    return text


def _json_flavour(head: bytes, fmt: str) -> str:
    """Tell a JSON document (array/object) from JSON Lines by content, whatever the extension says."""
    text = _decode_head(head).lstrip()
    if text.startswith("["):
        return "json"
    if not text.startswith("{"):
        return fmt
    first, sep, rest = text.partition("\n")
    if not sep:
        return fmt  # one line (or a line longer than the head): trust the extension
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return "json" if fmt == "json" or first.strip() == "{" else fmt
    if isinstance(value, dict) and rest.lstrip().startswith("{"):
        return "jsonl"
    return fmt


def sniff_delimiter(text: str, fmt: str) -> str:
    """Pick the delimiter whose parse of the sample gives the most consistent number of fields (>1)."""
    default = "\t" if fmt == "tsv" else ","
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off by the sample boundary
    sample = "".join(lines[:200])
    best, best_score = default, 0.0
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if len(rows) > 1:
            rows = rows[:-1]  # a quoted field may continue past the sample
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = consistent + (0.01 if delimiter == default else 0.0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
