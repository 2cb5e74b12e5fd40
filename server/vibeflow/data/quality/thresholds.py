"""Every threshold the quality report applies, in one place (values from the product documents where they give one)."""

from __future__ import annotations

# Share of rows above which an issue is a warning / an error (below the warning share it is reported as info).
MISSING_WARN, MISSING_ERROR = 0.05, 0.20  # product docs: missing values > 5% -> warn, offer auto-remove
DUPLICATE_WARN, DUPLICATE_ERROR = 0.02, 0.20  # product docs: duplicates > 2% -> warn, offer dedup
NEAR_DUPLICATE_WARN, NEAR_DUPLICATE_ERROR = 0.02, 0.20
OVER_CONTEXT_WARN, OVER_CONTEXT_ERROR = 0.01, 0.20
SHORT_WARN = 0.10  # also a warning whenever the *average* input is under SHORT_INPUT_TOKENS (product docs)
LONG_WARN = 0.05  # also a warning whenever the *average* output is over LONG_OUTPUT_TOKENS (product docs)
IMBALANCE_WARN = 0.10
ENCODING_WARN = 0.01
LANGUAGE_WARN = 0.05  # product docs: language mismatch -> ask for confirmation
LEAKAGE_ERROR = 0.05  # any leakage is a warning; above 5% of the test rows an error
# PII is a warning whenever present, secrets (credentials) an error.

SHORT_INPUT_TOKENS = 10  # product docs: input < 10 tokens -> too short
LONG_OUTPUT_TOKENS = 1000  # product docs: output > 1000 tokens -> too long
IMBALANCE_RATIO = 10.0  # product docs: input/output ratio > 10:1 -> flag
IMBALANCE_MIN_TOKENS = (
    50  # the longer side must have this many tokens (3 vs 40 tokens is "too short", not imbalance)
)

# Chat-template overhead added to input + output tokens for the context check (ChatML / Llama-3 style templates
# spend ~5 tokens per message on role markers and separators, plus a BOS token).
TEMPLATE_TOKENS_PER_MESSAGE = 5
TEMPLATE_BASE_TOKENS = 1

SIZE_MIN_ROWS = 100  # product docs: < 100 examples -> warn (overfitting risk)
SIZE_LARGE_ROWS = 1_000_000  # product docs: > 1M examples -> info (large cost)

# Near duplicates: Jaccard similarity of the rows' word sets (input and output words, see wordsets.py) of at least
# clip(1 - SLACK_WORDS / union size, MIN_JACCARD, JACCARD): up to 10 differing words (a changed word counts twice)
# or 20% of the words when that is more, never under 65% shared.
NEAR_DUPLICATE_JACCARD = 0.8
NEAR_DUPLICATE_MIN_JACCARD = 0.65
NEAR_DUPLICATE_SLACK_WORDS = 10
ROWS_LISTED = 1000  # row numbers listed per issue in the JSON report (`rows_truncated` says when more exist)


def severity(share: float, warn: float, error: float | None = None) -> str:
    """info below `warn`, warning from `warn`, error from `error` (shares are fractions of rows)."""
    if error is not None and share > error:
        return "error"
    return "warning" if share > warn else "info"
