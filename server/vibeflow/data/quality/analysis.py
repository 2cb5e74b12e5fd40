"""Everything the checks found, row by row: what the report summarises and what fixes and splits act on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality.encoding import EncodingAnalysis
from vibeflow.data.quality.language import LanguageAnalysis
from vibeflow.data.quality.leakage import Leakage
from vibeflow.data.quality.lengths import LengthAnalysis
from vibeflow.data.quality.pii import PIIAnalysis


@dataclass
class Analysis:
    """Per-row masks aligned with the analysed dataset (index i = i-th row of the dataset, not the source row)."""

    row_numbers: np.ndarray  # 1-based source row numbers (the `row` column)
    missing_input: np.ndarray
    missing_output: np.ndarray
    exact_first: np.ndarray  # index of the first equal row (itself when first/unique)
    near_parent: np.ndarray  # index of an earlier kept row it nearly duplicates, or -1
    near_pairs: np.ndarray  # (m, 2) verified near-duplicate pairs (i < j)
    lengths: LengthAnalysis
    encoding: EncodingAnalysis
    language: LanguageAnalysis
    pii: PIIAnalysis
    leakage: Leakage | None = None  # masks over the *test* rows when a test set was given
    test_row_numbers: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.row_numbers)

    @property
    def missing(self) -> np.ndarray:
        return self.missing_input | self.missing_output

    @property
    def duplicate(self) -> np.ndarray:
        """Later exact copies (the first occurrence of each group is not included)."""
        return self.exact_first != np.arange(self.n)

    @property
    def near_duplicate(self) -> np.ndarray:
        """Rows with an earlier kept near-twin (excludes exact copies and each cluster's kept row)."""
        return self.near_parent >= 0

    @property
    def over_context(self) -> np.ndarray:
        """Rows longer than the context window (blank rows are reported as missing instead)."""
        return self.lengths.over_context & ~self.missing

    def problems(self) -> dict[str, np.ndarray]:
        """Boolean masks keyed like scoring.ROW_WEIGHTS."""
        missing = self.missing
        return {
            "missing": missing,
            "secret": self.pii.secret,
            "duplicate": self.duplicate,
            "near_duplicate": self.near_duplicate,
            "over_context": self.over_context,
            "pii": self.pii.personal,
            "replacement": self.encoding.replacement,
            "mojibake": self.encoding.mojibake,
            "language_mismatch": self.language.mismatch,
            "control": self.encoding.control,
            "too_short": self.lengths.too_short,
            "too_long": self.lengths.too_long,
            "input_heavy": self.lengths.input_heavy,
            "output_heavy": self.lengths.output_heavy,
        }
