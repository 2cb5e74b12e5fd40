"""File-name cleaning shared by uploads and dataset names: Unicode letters and digits are kept (so two
non-ASCII names never collapse into the same `_`), everything else becomes `sep`."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^\w.-]+")  # \w is Unicode-aware


def safe_name(text: str, sep: str = "_") -> str:
    """`text` (NFC-normalised) with every run of characters other than letters, digits, `_`, `.`, `-` as `sep`."""
    return _UNSAFE.sub(sep, unicodedata.normalize("NFC", text))
