"""Adapters to the data package's PII/secret detectors and token counters, with small fallbacks when absent.

The language server must not depend on heavy imports at start, so these are resolved lazily, once, the
first time a dataset needs its deep checks.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

logger = logging.getLogger("vibeflow.lsp")

Spans = list[tuple[str, int, int]]
Finder = Callable[[list[str]], list[Spans]]  # a batch of lines -> (kind, start, end) per line
Counter = Callable[[str], int]

_FALLBACK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("phone", re.compile(r"(?<![\w+])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}(?!\w)")),
    ("credit_card", re.compile(r"(?<!\d)(?:\d{4}[ -]){3}\d{4}(?!\d)")),
    (
        "api_key",
        re.compile(
            r"\b(?:sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}"
            r"|xox[abpr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})"
        ),
    ),
)


def _luhn_ok(digits: str) -> bool:
    numbers = [int(c) for c in digits if c.isdigit()]
    total = 0
    for i, n in enumerate(reversed(numbers)):
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return len(numbers) >= 13 and total % 10 == 0


def fallback_spans(line: str) -> Spans:
    """(kind, start, end) of likely emails, phone numbers, card numbers and API keys in `line`."""
    if not any(c.isdigit() or c == "@" for c in line):
        return []
    found: list[tuple[str, int, int]] = []
    for kind, pattern in _FALLBACK_PATTERNS:
        for match in pattern.finditer(line):
            if kind == "credit_card" and not _luhn_ok(match.group()):
                continue
            found.append((kind, match.start(), match.end()))
    return found


def _token_span(line: str, start: int, end: int) -> tuple[int, int]:
    """Widen a match to the whole token around it (detect-secrets may return only a prefix group)."""
    stop_chars = " \t\"',;:()[]{}<>"
    while start > 0 and line[start - 1] not in stop_chars:
        start -= 1
    while end < len(line) and line[end] not in stop_chars:
        end += 1
    return start, end


def _quality_finder() -> Finder:
    """Span-level finder built from the quality report's own detectors (same regexes, Luhn, phonenumbers,
    detect-secrets plugins), so the editor and the report agree on what counts as PII. Like the report, it
    asks RE2 (pyarrow.compute) which lines of a batch are worth a precise Python check."""
    import phonenumbers
    import pyarrow as pa
    import pyarrow.compute as pc

    from vibeflow.data.quality.patterns import SECRET_ANCHORS
    from vibeflow.data.quality.pii import EMAIL_RE, NUMBER_RE, PHONE_REGION, is_card_number
    from vibeflow.data.quality.secrets import plugins

    detectors = plugins()
    valid = phonenumbers.Leniency.VALID
    digits = r"\d[\d \t().-]{5,}\d"

    def one(line: str, numbers: bool, secrets: bool) -> Spans:
        found: Spans = []
        if "@" in line:
            found += [("email", m.start(), m.end()) for m in EMAIL_RE.finditer(line)]
        for match in NUMBER_RE.finditer(line) if numbers else ():
            if is_card_number(match.group(0)):
                found.append(("card_number", match.start(), match.end()))
                continue
            offset = max(0, match.start() - 3)
            window = line[offset : match.end() + 3]
            for phone in phonenumbers.PhoneNumberMatcher(window, PHONE_REGION, leniency=valid):
                found.append(("phone", offset + phone.start, offset + phone.end))
                break
        for plugin in detectors if secrets else ():
            for secret in plugin.analyze_string(line):
                at = line.find(str(secret)) if secret else -1
                if at >= 0 and not _false_positive(str(secret)):
                    found.append(("secret", *_token_span(line, at, at + len(str(secret)))))
        return found

    def find(lines: list[str]) -> list[Spans]:
        if not lines:
            return []
        array = pa.array(lines, pa.large_string())
        numbers = pc.match_substring_regex(array, digits).to_pylist()
        secrets = pc.match_substring_regex(array, SECRET_ANCHORS).to_pylist()
        return [
            one(line, bool(n), bool(s)) if (n or s or "@" in line) else []
            for line, n, s in zip(lines, numbers, secrets, strict=True)
        ]

    return find


def _false_positive(secret: str) -> bool:
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string, is_templated_secret

    return is_sequential_string(secret) or is_potential_uuid(secret) or is_templated_secret(secret)


def fallback_find_pii(lines: list[str]) -> list[Spans]:
    return [fallback_spans(line) for line in lines]


@functools.cache
def pii_finder() -> Finder:
    """The quality report's detectors with spans when they import, else the fallback regexes."""
    try:
        return _quality_finder()
    except Exception as error:  # noqa: BLE001 - data.quality or its libraries missing: fall back
        logger.info("PII detectors of vibeflow.data.quality unavailable (%s); using fallback patterns", error)
        return fallback_find_pii


def approximate_tokens(text: str) -> int:
    """~4 bytes per token: the usual average of BPE tokenizers on English text."""
    return max(1, len(text.encode("utf-8")) // 4)


@functools.cache
def token_counter(model: str) -> tuple[Counter, bool]:
    """(count(text) -> tokens, exact?) for `model` from `vibeflow.data.tokens` (tokenizers, never torch)."""
    try:
        from vibeflow.data.tokens import get_token_counter

        counter = get_token_counter(model)
        count_batch = counter.count_batch
    except Exception as error:  # noqa: BLE001 - module absent or broken: estimate instead
        logger.info("token counter for %s unavailable (%s); estimating ~4 bytes/token", model, error)
        return approximate_tokens, False
    return (lambda text: int(count_batch([text])[0])), bool(getattr(counter, "exact", False))
