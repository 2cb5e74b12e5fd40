"""One-click fixes: derive a new canonical dataset from a dataset and its quality report (the input is never modified).

Removal fixes drop the rows the report's analysis marks; text fixes rewrite message contents and recompute
`input_text` / `output_text` exactly as `canonical.split_texts` does. The `row` column (source row numbers)
is carried through unchanged, so later reports still point at the user's file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vibeflow.data.canonical import MESSAGE_TYPE
from vibeflow.data.quality.analysis import Analysis
from vibeflow.data.quality.report import QualityReport
from vibeflow.errors import VibeFlowError

FIXES = (
    "drop_missing",
    "dedup_exact",
    "dedup_near",
    "drop_over_context",
    "normalize_whitespace",
    "repair_mojibake",
)

_REMOVALS: dict[str, Callable[[Analysis], np.ndarray]] = {
    "drop_missing": lambda a: a.missing,
    "dedup_exact": lambda a: a.duplicate,  # later copies; the first of each group stays
    "dedup_near": lambda a: a.near_duplicate,  # rows with an earlier kept near-twin
    "drop_over_context": lambda a: a.over_context,
}

# Whitespace normalisation keeps interior runs of spaces (code indentation and aligned text survive).
_WHITESPACE_RULES = (
    (r"\r\n?", "\n"),  # Windows / old Mac line endings
    (r"[\x{00A0}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]", " "),  # exotic spaces -> plain space
    (r"[ \t]+\n", "\n"),  # trailing spaces at line ends
    (r"\n{3,}", "\n\n"),  # at most one blank line
)


def apply_fixes(
    ds: datasets.Dataset, report: QualityReport, ops: Sequence[str]
) -> tuple[datasets.Dataset, dict]:
    """New dataset with `ops` applied, and {op: rows removed or changed}.

    Removals are applied first; a row removed by several ops is counted once, under the first of them in
    `ops`. Text fixes then run, in the order given, on the remaining rows.
    """
    unknown = [op for op in ops if op not in FIXES]
    if unknown:
        raise VibeFlowError(f"unknown fix {', '.join(unknown)}", fix=f"choose from: {', '.join(FIXES)}")
    if len(ds) != report.rows:
        raise VibeFlowError(
            f"the report describes {report.rows} rows but the dataset has {len(ds)}",
            fix="build the report from this exact dataset version before fixing it",
        )
    ops = list(dict.fromkeys(ops))
    analysis = report.analysis
    table: pa.Table = ds.with_format("arrow")[:]
    removed = np.zeros(len(ds), dtype=bool)
    summary: dict[str, int] = {}
    for op in ops:
        if op in _REMOVALS:
            mask = _REMOVALS[op](analysis)
            summary[op] = int((mask & ~removed).sum())
            removed |= mask
    keep = np.flatnonzero(~removed)
    if removed.any():
        table = table.take(pa.array(keep))
    for op in ops:
        if op == "normalize_whitespace":
            table, summary[op] = _rewrite(table, None, _normalize_whitespace)
        elif op == "repair_mojibake":
            damaged = (analysis.encoding.mojibake | analysis.encoding.control)[keep]
            table, summary[op] = _rewrite(table, np.flatnonzero(damaged), _repair)
    return datasets.Dataset(table), summary


def _normalize_whitespace(contents: pa.Array) -> pa.Array:
    for pattern, replacement in _WHITESPACE_RULES:
        contents = pc.replace_substring_regex(contents, pattern, replacement)
    return pc.utf8_trim_whitespace(contents)


def _repair(contents: pa.Array) -> pa.Array:
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        normalization=None,
        explain=False,
    )
    return pa.array([ftfy.fix_text(text, config) for text in contents.to_pylist()], pa.string())


def _rewrite(
    table: pa.Table, rows: np.ndarray | None, fn: Callable[[pa.Array], pa.Array]
) -> tuple[pa.Table, int]:
    """Apply `fn` to the message contents of `rows` (all rows when None); rebuild messages and texts."""
    if table.num_rows == 0 or (rows is not None and len(rows) == 0):
        return table, 0
    messages = table.column("messages").combine_chunks()
    values = messages.flatten()
    parents = messages.value_parent_indices().to_numpy(zero_copy_only=False)
    roles = pc.fill_null(values.field("role"), "").cast(pa.string())
    contents = pc.fill_null(values.field("content"), "").cast(pa.string())
    if rows is None:
        new_contents = fn(contents).cast(pa.string())
    else:
        selected = np.isin(parents, rows)
        fixed = fn(contents.filter(pa.array(selected))).cast(pa.string())
        new_contents = pc.replace_with_mask(contents, pa.array(selected), fixed)
    changed_values = np.asarray(
        pc.not_equal(contents, new_contents).to_numpy(zero_copy_only=False), dtype=bool
    )
    changed = int(len(np.unique(parents[changed_values])))
    if not changed:
        return table, 0
    n = table.num_rows
    lengths = pc.fill_null(pc.list_value_length(messages), 0).to_numpy(zero_copy_only=False)
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int32)
    new_messages = pa.ListArray.from_arrays(
        pa.array(offsets), pa.StructArray.from_arrays([roles, new_contents], fields=list(MESSAGE_TYPE))
    )
    is_output = np.asarray(pc.equal(roles, "assistant").to_numpy(zero_copy_only=False), dtype=bool)
    columns: dict[str, Any] = {
        "messages": new_messages,
        "input_text": _join(new_contents, parents, ~is_output, n),
        "output_text": _join(new_contents, parents, is_output, n),
    }
    for name, column in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table, changed


def _join(contents: pa.Array, parents: np.ndarray, mask: np.ndarray, n: int) -> pa.Array:
    """Per row, the selected contents joined with a blank line ("" when none), like canonical.split_texts."""
    counts = np.bincount(parents[mask], minlength=n)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), contents.filter(pa.array(mask)))
    return pc.binary_join(lists, "\n\n")
