"""Personal data and credentials: e-mail addresses, phone numbers (phonenumbers), card numbers (Luhn), secrets.

Only rows flagged by the one-pass scan are examined here: a token that looks like an e-mail, number-like
tokens with at least MIN_DIGITS digits in total, or a detect-secrets anchor. Each candidate is then confirmed
on its full text: an e-mail regular expression, `phonenumbers.PhoneNumberMatcher` (valid numbers only),
13-19 digit numbers with a card-network prefix passing the Luhn check, and detect-secrets' plugins.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from vibeflow.data.quality.columns import TextColumns
from vibeflow.data.quality.patterns import Flag
from vibeflow.data.quality.secrets import secret_types

MIN_DIGITS = 7
MAX_CHECKED_ROWS = 100_000  # per kind; beyond, an evenly spaced subset is confirmed and the report says so
PHONE_REGION = "US"  # region assumed for numbers written without a +country prefix

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
NUMBER_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d \t().-]{5,}\d(?!\d)")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2))")


@dataclass
class PIIAnalysis:
    email: np.ndarray
    phone: np.ndarray
    card: np.ndarray
    secret: np.ndarray
    secret_kinds: Counter = field(default_factory=Counter)
    sampled: bool = False

    @property
    def personal(self) -> np.ndarray:
        return self.email | self.phone | self.card

    @property
    def any(self) -> np.ndarray:
        return self.personal | self.secret


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return (
        13 <= len(digits) <= 19
        and len(set(digits)) > 1
        and _CARD_PREFIX.match(digits) is not None
        and luhn_valid(digits)
    )


def _numbers(text: str) -> tuple[bool, bool]:
    """(has a card number, has a phone number) among the digit runs of `text`."""
    import phonenumbers

    card = phone = False
    for match in NUMBER_RE.finditer(text):
        span = match.group(0)
        if is_card_number(span):
            card = True
            continue
        if phone:
            continue
        window = text[max(0, match.start() - 3) : match.end() + 3]
        for _ in phonenumbers.PhoneNumberMatcher(window, PHONE_REGION, leniency=phonenumbers.Leniency.VALID):
            phone = True
            break
    return card, phone


def _spread(indices: np.ndarray) -> tuple[np.ndarray, bool]:
    if len(indices) <= MAX_CHECKED_ROWS:
        return indices, False
    pick = np.linspace(0, len(indices) - 1, MAX_CHECKED_ROWS).round().astype(np.int64)
    return indices[pick], True


def find_pii(cols: TextColumns, flags: np.ndarray, digits: np.ndarray) -> PIIAnalysis:
    n = cols.n
    result = PIIAnalysis(*(np.zeros(n, dtype=bool) for _ in range(4)))
    emails, s1 = _spread(np.flatnonzero((flags & np.uint32(Flag.EMAIL)) != 0))
    for i, text in zip(emails.tolist(), cols.joined(emails), strict=True):
        result.email[i] = EMAIL_RE.search(text) is not None
    numbers, s2 = _spread(np.flatnonzero(digits >= MIN_DIGITS))
    for i, text in zip(numbers.tolist(), cols.joined(numbers), strict=True):
        result.card[i], result.phone[i] = _numbers(text)
    secrets, s3 = _spread(np.flatnonzero((flags & np.uint32(Flag.SECRET)) != 0))
    for i, text in zip(secrets.tolist(), cols.joined(secrets), strict=True):
        kinds = secret_types(text)
        if kinds:
            result.secret[i] = True
            result.secret_kinds.update(kinds)
    result.sampled = s1 or s2 or s3
    return result
