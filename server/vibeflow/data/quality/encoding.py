"""Encoding damage: U+FFFD from invalid UTF-8, mojibake (text decoded with the wrong codec), stray control characters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.patterns import Flag


@dataclass
class EncodingAnalysis:
    replacement: (
        np.ndarray
    )  # U+FFFD present: the source bytes were not valid UTF-8 (lost, cannot be repaired)
    mojibake: np.ndarray  # ftfy.badness.is_bad: e.g. "cafÃ©" for "café" (repairable with ftfy)
    control: np.ndarray  # C0/C1 control characters other than tab, newline, carriage return

    @property
    def any(self) -> np.ndarray:
        return self.replacement | self.mojibake | self.control


def _has(flags: np.ndarray, flag: Flag) -> np.ndarray:
    return (flags & np.uint32(flag)) != 0


def find_encoding_damage(cols: TextColumns, flags: np.ndarray) -> EncodingAnalysis:
    """U+FFFD and control characters are exact from the token flags; mojibake candidates (ftfy's own expression
    run in RE2 over unique tokens) are confirmed with `ftfy.badness.is_bad` on the row's full text."""
    from ftfy.badness import is_bad

    mojibake = np.zeros(cols.n, dtype=bool)
    candidates = np.flatnonzero(_has(flags, Flag.MOJIBAKE))
    for i, text in zip(candidates.tolist(), cols.joined(candidates), strict=True):
        mojibake[i] = is_bad(text)
    return EncodingAnalysis(
        replacement=_has(flags, Flag.REPLACEMENT), mojibake=mojibake, control=_has(flags, Flag.CONTROL)
    )
