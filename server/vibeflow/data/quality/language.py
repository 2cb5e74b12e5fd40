"""Language identification with py3langid: the dataset's dominant language and the rows written in another one.

Inputs and outputs are classified separately (the first PREFIX_CHARS characters of each), and each column is
compared with its own dominant language, so a translation dataset is not flagged. py3langid walks each text
byte by byte in Python (~0.3 µs/byte, ~50 µs per 128-character text), which is too slow for every row of a large file, so:

- up to ALL_ROWS rows: every input and output is classified;
- above that: a deterministic, evenly spaced sample of SAMPLE_ROWS rows gives the dominant language and the
  language mix, and *every* row whose script profile (which Unicode scripts its words use, computed for all rows
  in the one-pass scan) differs from the column's dominant profile is classified individually (capped at
  MAX_CANDIDATE_ROWS, evenly spaced beyond that). A row in another language almost always uses another script or
  Latin letters with diacritics (French, Spanish, German, Vietnamese ...); the ones that do not (e.g. Indonesian
  in an English dataset, which is plain ASCII like English) are only seen through the sample, and the report gives
  their estimated count (`estimated_unchecked_mismatches`) instead of pretending it checked them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import islice

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.patterns import SCRIPT_MASK

ALL_ROWS = 5_000
SAMPLE_ROWS = 1_000
MAX_CANDIDATE_ROWS = 50_000  # per column
PREFIX_CHARS = 128  # characters of the input (or output) given to the classifier
MIN_LETTERS = 20  # shorter texts are not classified (language ID is unreliable on a few words)
MIN_CONFIDENCE = 0.9  # normalised probability needed to call a row "another language"
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _identifier():  # noqa: ANN202 - py3langid.langid.LanguageIdentifier
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def classify(texts: list[str]) -> list[tuple[str, float]]:
    """(language, probability) per text; UNDETERMINED for texts with too few letters."""
    identifier = _identifier()
    out: list[tuple[str, float]] = []
    for text in texts:
        if sum(1 for _ in islice(_LETTER.finditer(text), MIN_LETTERS)) < MIN_LETTERS:
            out.append((UNDETERMINED, 0.0))
            continue
        lang, prob = identifier.classify(text)
        out.append((lang, float(prob)))
    return out


@dataclass
class SideLanguages:
    """Languages of one column (inputs or outputs): each is compared with its own dominant language, so a
    translation dataset (English prompts, French answers) is not flagged."""

    language: np.ndarray  # object array: ISO 639-1 code per row, "" where not classified
    confidence: np.ndarray
    dominant: str
    sample: np.ndarray  # row indices of the sample (all rows when every row was classified)
    in_dominant_profile: np.ndarray
    capped: bool

    @cached_property
    def mismatch(self) -> np.ndarray:
        if self.dominant in ("", UNDETERMINED):
            return np.zeros(len(self.language), dtype=bool)
        return (
            (self.language != "")
            & (self.language != self.dominant)
            & (self.language != UNDETERMINED)
            & (self.confidence >= MIN_CONFIDENCE)
        )


@dataclass
class LanguageAnalysis:
    inputs: SideLanguages
    outputs: SideLanguages
    method: str
    full: bool

    @cached_property
    def mismatch(self) -> np.ndarray:
        return self.inputs.mismatch | self.outputs.mismatch

    @property
    def dominant(self) -> str:
        return self.inputs.dominant

    @cached_property
    def language(self) -> np.ndarray:
        """Per row: the mismatching side's language, else the input's (the output's when the input is blank)."""
        out = np.where(self.inputs.language == "", self.outputs.language, self.inputs.language)
        out = np.where(self.outputs.mismatch & ~self.inputs.mismatch, self.outputs.language, out)
        return out

    @property
    def classified(self) -> int:
        return int(((self.inputs.language != "") | (self.outputs.language != "")).sum())

    @property
    def estimated_unchecked_mismatches(self) -> int:
        return 0 if self.full else _unchecked(self.inputs) + _unchecked(self.outputs)

    def distribution(self, side: str = "input") -> dict[str, float]:
        lang = self.inputs if side == "input" else self.outputs
        return _distribution(lang, self.full)


def _spread(indices: np.ndarray, limit: int) -> np.ndarray:
    if len(indices) <= limit:
        return indices
    return indices[np.linspace(0, len(indices) - 1, limit).round().astype(np.int64)]


def _side(cols: TextColumns, which: str, flags: np.ndarray, full: bool) -> SideLanguages:
    n = cols.n
    language = np.full(n, "", dtype=object)
    confidence = np.zeros(n)

    def run(indices: np.ndarray) -> None:
        texts = [text[:PREFIX_CHARS] for text in cols.texts(which, indices)]
        for i, (lang, prob) in zip(indices.tolist(), classify(texts), strict=True):
            language[i] = lang
            confidence[i] = prob

    sample = np.arange(n) if full else _spread(np.arange(n), SAMPLE_ROWS)
    run(sample)
    confident = (confidence[sample] >= MIN_CONFIDENCE) & (language[sample] != UNDETERMINED)
    votes = Counter(language[sample][confident].tolist()) or Counter(language[sample].tolist())
    dominant = votes.most_common(1)[0][0] if votes else ""
    profile = flags & np.uint32(SCRIPT_MASK)
    in_dominant = profile == np.argmax(np.bincount(profile, minlength=1))
    capped = False
    if not full:
        others = np.setdiff1d(np.flatnonzero(~in_dominant), sample, assume_unique=True)
        capped = len(others) > MAX_CANDIDATE_ROWS
        run(_spread(others, MAX_CANDIDATE_ROWS))
    return SideLanguages(language, confidence, dominant, sample, in_dominant, capped)


def identify_languages(
    cols: TextColumns, input_flags: np.ndarray, output_flags: np.ndarray
) -> LanguageAnalysis:
    n = cols.n
    full = n <= ALL_ROWS
    inputs = _side(cols, "input", input_flags, full)
    outputs = _side(cols, "output", output_flags, full)
    if full:
        method = f"every input and output of the {n} rows classified with py3langid"
    else:
        extra = inputs.language != ""
        extra[inputs.sample] = False
        extra_out = outputs.language != ""
        extra_out[outputs.sample] = False
        method = (
            f"py3langid on an evenly spaced sample of {len(inputs.sample)} rows plus every input "
            f"({int(extra.sum())}) and output ({int(extra_out.sum())}) whose script profile differs from the "
            f"dominant one{' (capped)' if inputs.capped or outputs.capped else ''}"
        )
    return LanguageAnalysis(inputs=inputs, outputs=outputs, method=method, full=full)


def _unchecked(side: SideLanguages) -> int:
    """Estimated mismatches among dominant-profile rows that were not classified (from the sample's rate)."""
    sample_dp = side.sample[side.in_dominant_profile[side.sample]]
    if len(sample_dp) == 0:
        return 0
    unclassified = int((side.in_dominant_profile & (side.language == "")).sum())
    return round(int(side.mismatch[sample_dp].sum()) * unclassified / len(sample_dp))


def _distribution(side: SideLanguages, full: bool) -> dict[str, float]:
    n = len(side.language)
    if n == 0:
        return {}
    if full:
        counts = Counter(side.language.tolist())
        return {k: round(v / n, 4) for k, v in counts.most_common()}
    estimate: Counter[str] = Counter()
    sample_dp = side.sample[side.in_dominant_profile[side.sample]]
    unclassified = int((side.in_dominant_profile & (side.language == "")).sum())
    if len(sample_dp):
        per_row = unclassified / len(sample_dp)
        for lang, count in Counter(side.language[sample_dp].tolist()).items():
            estimate[lang] += count * per_row
    for lang, count in Counter(side.language[side.language != ""].tolist()).items():
        estimate[lang] += count
    total = sum(estimate.values()) or 1.0
    return {k: round(v / total, 4) for k, v in estimate.most_common()}
