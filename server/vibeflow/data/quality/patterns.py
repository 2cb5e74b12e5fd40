"""RE2 patterns (run by pyarrow.compute on unique tokens) that pick the few rows worth a precise per-row check."""

from __future__ import annotations

import enum
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc


class Flag(enum.IntFlag):
    """Properties of a token; a row's flags are the OR of its tokens' flags."""

    NON_ASCII = 1 << 0
    REPLACEMENT = 1 << 1  # U+FFFD: bytes that were not valid UTF-8 in the source
    MOJIBAKE = 1 << 2  # ftfy's badness expression matches (UTF-8 decoded with the wrong codec)
    CONTROL = 1 << 3  # C0/C1 control characters other than tab/newline/carriage return
    EMAIL = 1 << 4
    SECRET = 1 << 5  # anchor of a detect-secrets plugin (AKIA..., ghp_..., eyJ..., "password=" ...)
    LATIN_EXT = 1 << 8
    CYRILLIC = 1 << 9
    GREEK = 1 << 10
    ARABIC = 1 << 11
    HEBREW = 1 << 12
    HAN = 1 << 13
    KANA = 1 << 14
    HANGUL = 1 << 15
    DEVANAGARI = 1 << 16
    THAI = 1 << 17
    OTHER_SCRIPT = 1 << 18


SCRIPT_MASK = sum(int(f) for f in Flag if f >= Flag.LATIN_EXT)

_LISTED = r"\p{Latin}\p{Cyrillic}\p{Greek}\p{Arabic}\p{Hebrew}\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Devanagari}\p{Thai}"
SCRIPT_PATTERNS: tuple[tuple[Flag, str], ...] = (
    (Flag.LATIN_EXT, r"[\x{00C0}-\x{024F}\x{1E00}-\x{1EFF}]"),
    (Flag.CYRILLIC, r"\p{Cyrillic}"),
    (Flag.GREEK, r"\p{Greek}"),
    (Flag.ARABIC, r"\p{Arabic}"),
    (Flag.HEBREW, r"\p{Hebrew}"),
    (Flag.HAN, r"\p{Han}"),
    (Flag.KANA, r"[\p{Hiragana}\p{Katakana}]"),
    (Flag.HANGUL, r"\p{Hangul}"),
    (Flag.DEVANAGARI, r"\p{Devanagari}"),
    (Flag.THAI, r"\p{Thai}"),
    (Flag.OTHER_SCRIPT, r"[^" + _LISTED + r"\P{L}]"),
)

# Tab, newline, vertical tab, form feed and carriage return separate tokens; any other control character is damage.
CONTROL_ASCII = r"[\x00-\x08\x0e-\x1f\x7f]"
CONTROL_C1 = r"[\x{80}-\x{9f}]"
EMAIL_TOKEN = r"[^@\s]@[^@\s]+\.\p{L}{2,}"

# Cheap anchors of the detect-secrets plugins VibeFlow uses (see secrets.py); each candidate row is then confirmed
# with the plugins' own expressions, so an anchor only has to be a superset.
SECRET_ANCHORS = (
    r"A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA|AKC[a-zA-Z0-9]{10}|AP[\dA-F][a-zA-Z0-9]{8}|\d{8,10}:[0-9A-Za-z_-]{35}"
    r"|[0-9a-z]{32}-us\d|k_live_|pypi-|sq0csp-|eyJ[A-Za-z0-9_=-]+\.|T3BlbkFJ|GR1348941|AccountKey="
    r"|gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|gh[pousr]_|hooks\.slack\.com|xox[abposr]-"
    r"|SG\.[a-zA-Z0-9_-]{22}\.|_authToken|SK[a-z0-9]{32}|AC[a-z0-9]{32}|PRIVATE|PuTTY-User"
    r"|://[^\s/@:]+:[^\s/@]+@|[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\."
    r"|(?i:(?:^|[^a-z])aws)|(?i:softlayer|cloudant|ibm|hmac)"
    r"|(?i:(?:^|[^a-z])(?:cl|clou|sl|cos)[_-]?(?:api)?[_-]?(?:key|pwd|pw|pass|token|secret))"
)


def _unverbose(pattern: str) -> str:
    """Drop the whitespace and comments of a re.VERBOSE pattern (outside character classes)."""
    out: list[str] = []
    inside = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if inside:
            inside = char != "]"
            out.append(char)
        elif char == "[":
            inside = True
            out.append(char)
        elif char == "#":
            while i < len(pattern) and pattern[i] != "\n":
                i += 1
            continue
        elif not char.isspace():
            out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def badness_re2() -> str:
    """ftfy's mojibake expression (`ftfy.badness.BADNESS_RE`) rewritten for RE2.

    RE2 has no verbose mode and its \\w and \\s are ASCII-only, so those are spelled out with Unicode classes;
    tests check the rewrite agrees with ftfy on a corpus of random strings.
    """
    from ftfy.badness import BADNESS_RE

    pattern = _unverbose(BADNESS_RE.pattern)
    pattern = pattern.replace(r"\w", r"[\p{L}\p{N}_]").replace(r"\s", r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}]")
    return pattern


def match(array: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(array, pattern)
