"""The quality report of a canonical dataset: runs every check once and assembles scores, issues and statistics."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vibeflow.data.quality import scoring
from vibeflow.data.quality.analysis import Analysis
from vibeflow.data.quality.columns import TextColumns, load_columns
from vibeflow.data.quality.duplicates import find_exact_duplicates
from vibeflow.data.quality.encoding import find_encoding_damage
from vibeflow.data.quality.issues import Issue
from vibeflow.data.quality.language import LanguageAnalysis, identify_languages
from vibeflow.data.quality.leakage import SideSketch, find_leakage
from vibeflow.data.quality.lengths import analyse_lengths, summary
from vibeflow.data.quality.minhash import LSH_THRESHOLD, densify
from vibeflow.data.quality.neardup import NearDuplicates, find_near_duplicates
from vibeflow.data.quality.pii import PIIAnalysis, find_pii
from vibeflow.data.quality.sketch import NUM_PERM, DatasetSketch, sketch_columns
from vibeflow.data.quality.summarise import build_issues, language_name
from vibeflow.data.quality.wordsets import JACCARD, MIN_JACCARD, SLACK_WORDS
from vibeflow.data.tokens import TokenCounter

Progress = Callable[[str, int, int], None]
STAGES = (
    "scanning text", "exact duplicates", "near duplicates", "lengths", "encoding", "language", "pii", "leakage",
    "scoring",
)  # fmt: skip


@dataclass
class QualityReport:
    """Result of `build_report`: `to_dict()` is the JSON report; `row_scores` and `analysis` align with the rows."""

    rows: int
    format: str
    mapping: dict[str, Any]
    score: float
    lengths: dict[str, Any]
    issues: list[Issue]
    languages: dict[str, Any]
    score_histogram: list[dict[str, Any]]
    row_scores: np.ndarray
    analysis: Analysis
    checks: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def issue(self, kind: str) -> Issue | None:
        return next((i for i in self.issues if i.kind == kind), None)

    def fix_counts(self) -> dict[str, int | None]:
        """Rows each fix would remove (None: only known once applied)."""
        a = self.analysis
        return {
            "drop_missing": int(a.missing.sum()),
            "dedup_exact": int(a.duplicate.sum()),
            "dedup_near": int(a.near_duplicate.sum()),
            "drop_over_context": int(a.over_context.sum()),
            "normalize_whitespace": None,
            "repair_mojibake": int((a.encoding.mojibake | a.encoding.control).sum()),
        }

    def to_dict(self, include_rows: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rows": self.rows,
            "format": self.format,
            "mapping": self.mapping,
            "score": self.score,
            "score_formula": "mean row score - 5 per warning issue - 15 per error issue, clamped to 0-100; "
            "row score = 100 x product of (1 - weight) over the row's problems",
            "row_score_weights": dict(scoring.ROW_WEIGHTS),
            "lengths": self.lengths,
            "issues": [i.to_dict() for i in self.issues],
            "languages": self.languages,
            "score_histogram": self.score_histogram,
            "fixes": self.fix_counts(),
            "checks": self.checks,
            "timings": self.timings,
        }
        if include_rows:
            out["row_numbers"] = self.analysis.row_numbers.tolist()
            out["row_scores"] = self.row_scores.tolist()
        return out


class _Stages:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name, STAGES.index(name), len(STAGES))
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 3)


def _mapping(mapping: dict[str, Any] | None) -> dict[str, Any]:
    out = dict(mapping or {})
    for key in ("input", "output", "confidence"):
        out.setdefault(key, None)
    return out


def _warm_up() -> None:
    """Load what the later checks need (the language model, detect-secrets' plugins, phonenumbers, ftfy)."""
    import ftfy.badness  # noqa: F401
    import phonenumbers  # noqa: F401

    from vibeflow.data.quality.language import _identifier
    from vibeflow.data.quality.secrets import plugins

    _identifier()
    plugins()


def _python_checks(cols: TextColumns, sketch: DatasetSketch) -> tuple[LanguageAnalysis, PIIAnalysis, dict]:
    """Language ID and PII confirmation: mostly pure Python (py3langid, phonenumbers, detect-secrets)."""
    start = time.perf_counter()
    language = identify_languages(cols, sketch.input_flags, sketch.output_flags)
    middle = time.perf_counter()
    pii = find_pii(cols, sketch.flags, sketch.digits)
    end = time.perf_counter()
    return language, pii, {"language": round(middle - start, 3), "pii": round(end - middle, 3)}


def _sketch(cols: TextColumns, progress: Progress | None) -> tuple[DatasetSketch, np.ndarray]:
    callback = None if progress is None else (lambda done: progress("scanning text", done, cols.n))
    sketch = sketch_columns(cols.input, cols.output, callback)
    has_shingles = densify(sketch.signature)
    return sketch, has_shingles


def build_report(
    ds,  # noqa: ANN001 - datasets.Dataset in the canonical form (vibeflow.data.canonical)
    *,
    fmt: str,
    mapping: dict[str, Any],
    token_counter: TokenCounter,
    context_length: int = 2048,
    test_ds=None,  # noqa: ANN001 - datasets.Dataset: when given, its rows are checked for leakage from `ds`
    progress: Progress | None = None,
) -> QualityReport:
    """Run every check on `ds` (and leakage of `test_ds` from it) and assemble the report.

    The "language" and "pii" timings are those of the second thread they run on, concurrently with the others.

    `progress(stage, done, total)` is called at the start of each stage with the stage index and the number of
    stages, and during the text scan ("scanning text") with rows done and rows in total; scan calls come from a
    worker thread, one at a time.
    """
    stage = _Stages(progress)
    warm = threading.Thread(target=_warm_up, name="vibeflow-quality-warm-up", daemon=True)
    warm.start()  # imports and model loads overlap the text scan
    cols = load_columns(ds)
    with stage("scanning text"):
        sketch, has_shingles = _sketch(cols, progress)
    missing_input, missing_output = sketch.input_words == 0, sketch.output_words == 0
    missing = missing_input | missing_output
    warm.join()
    # Language ID and PII confirmation (pure Python) run on a second thread while the other checks (mostly
    # numpy, which releases the GIL) run here.
    with ThreadPoolExecutor(max_workers=1) as side:
        python_checks = side.submit(_python_checks, cols, sketch)
        with stage("exact duplicates"):
            exact = find_exact_duplicates(sketch.key, ~missing)
        with stage("near duplicates"):
            eligible = ~missing & (exact.first == np.arange(cols.n)) & has_shingles
            near = find_near_duplicates(cols, sketch.signature, eligible)
        with stage("lengths"):
            lengths = analyse_lengths(cols, token_counter, context_length, missing)
        with stage("encoding"):
            encoding = find_encoding_damage(cols, sketch.flags)
        with stage("language"):
            language, pii, side_timings = python_checks.result()
        with stage("pii"):
            pass
        stage.timings.update(side_timings)
    leakage = test_rows = None
    with stage("leakage"):
        if test_ds is not None:
            test_cols = load_columns(test_ds)
            test_sketch, test_shingles = _sketch(test_cols, None)
            test_blank = (test_sketch.input_words == 0) | (test_sketch.output_words == 0)
            leakage = find_leakage(
                SideSketch(cols, sketch.key, sketch.signature, ~missing & has_shingles),
                SideSketch(test_cols, test_sketch.key, test_sketch.signature, ~test_blank & test_shingles),
            )
            test_rows = test_cols.rows
    del sketch
    analysis = Analysis(
        row_numbers=cols.rows,
        missing_input=missing_input,
        missing_output=missing_output,
        exact_first=exact.first,
        near_parent=near.parent,
        near_pairs=near.pairs,
        lengths=lengths,
        encoding=encoding,
        language=language,
        pii=pii,
        leakage=leakage,
        test_row_numbers=test_rows,
    )
    with stage("scoring"):
        row_scores = scoring.row_scores(analysis.problems(), cols.n)
        issues = build_issues(analysis, context_length)
        score = scoring.dataset_score(row_scores, [i.severity for i in issues])
    return QualityReport(
        rows=cols.n,
        format=fmt,
        mapping=_mapping(mapping),
        score=score,
        lengths=_length_stats(analysis, token_counter, context_length),
        issues=issues,
        languages=_languages(analysis),
        score_histogram=scoring.histogram(row_scores),
        row_scores=row_scores,
        analysis=analysis,
        checks=_checks(near),
        timings=stage.timings,
    )


def _length_stats(a: Analysis, counter: TokenCounter, context_length: int) -> dict[str, Any]:
    present = ~a.missing
    return {
        "input": summary(a.lengths.input_tokens[present]),
        "output": summary(a.lengths.output_tokens[present]),
        "total": summary(a.lengths.total_tokens[present]),
        "tokenizer": counter.name,
        "exact": bool(counter.exact),
        "note": getattr(counter, "note", ""),
        "context_length": context_length,
    }


def _languages(a: Analysis) -> dict[str, Any]:
    lang = a.language
    return {
        "dominant": lang.dominant,
        "dominant_name": language_name(lang.dominant),
        "distribution": lang.distribution("input"),
        "output_dominant": lang.outputs.dominant,
        "output_distribution": lang.distribution("output"),
        "method": lang.method,
        "classified_rows": lang.classified,
        "estimated_unchecked_mismatches": lang.estimated_unchecked_mismatches,
    }


def _checks(near: NearDuplicates) -> dict[str, Any]:
    return {
        "duplicate": {
            "normalisation": "Unicode lower case, split at ASCII whitespace (runs collapsed, ends stripped)",
            "method": "64-bit hash of the normalised input and output; equal hashes = duplicates",
        },
        "near_duplicate": {
            "method": "candidates: one-permutation MinHash over word bigrams (lower case, punctuation trimmed), "
            "LSH banding (bands of far-apart bins) with datasketch's parameters for bigram Jaccard similarity "
            f"{LSH_THRESHOLD}; each candidate verified on the rows' word sets (input and output words, any order): "
            f"Jaccard similarity >= clip(1 - {SLACK_WORDS} / union size, {MIN_JACCARD}, {JACCARD}), i.e. up to "
            f"{SLACK_WORDS} differing words (a changed word counts twice) or {1 - JACCARD:.0%} of the words, "
            f"never under {MIN_JACCARD:.0%} shared",
            "num_perm": NUM_PERM,
            "bands": near.bands,
            "rows_per_band": near.rows_per_band,
            "lsh_threshold": LSH_THRESHOLD,
            "threshold": JACCARD,
            "min_threshold": MIN_JACCARD,
            "slack_words": SLACK_WORDS,
            "candidate_pairs": near.candidates,
            "verified_pairs": int(len(near.pairs)),
        },
    }
