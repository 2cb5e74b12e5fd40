"""Turns the per-row analysis into the report's issue list: counts, severities by threshold, messages and fixes."""

from __future__ import annotations

import numpy as np

from vibeflow.data.quality import thresholds as t
from vibeflow.data.quality.analysis import Analysis
from vibeflow.data.quality.issues import KINDS, SEVERITIES, Issue, percent, plural, source_rows, verb

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish", "cs": "Czech", "sv": "Swedish",
    "da": "Danish", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish", "ar": "Arabic", "he": "Hebrew",
    "fa": "Persian", "hi": "Hindi", "bn": "Bengali", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "vi": "Vietnamese", "th": "Thai", "id": "Indonesian", "ms": "Malay", "el": "Greek", "ro": "Romanian",
    "hu": "Hungarian", "ca": "Catalan", "la": "Latin", "und": "undetermined",
}  # fmt: skip


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _issue(
    kind: str, mask: np.ndarray, rows: np.ndarray, severity: str, message: str, **extra: object
) -> Issue:
    listed, truncated = source_rows(mask, rows)
    return Issue(
        kind=kind,
        severity=severity,
        count=int(mask.sum()),
        message=message,
        rows=listed,
        rows_truncated=truncated,
        **extra,
    )  # type: ignore[arg-type]


def _missing(a: Analysis) -> Issue | None:
    mask = a.missing
    count, n = int(mask.sum()), a.n
    if not count:
        return None
    share = count / n
    return _issue(
        "missing",
        mask,
        a.row_numbers,
        t.severity(share, t.MISSING_WARN, t.MISSING_ERROR),
        f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'has', 'have')} an empty input or output "
        f"({int(a.missing_input.sum()):,} empty inputs, {int(a.missing_output.sum()):,} empty outputs)",
        fix="drop_missing",
        suggestion="remove them, or fill in the missing text in the source file",
    )


def _duplicates(a: Analysis) -> list[Issue]:
    out: list[Issue] = []
    n = a.n
    dup = a.duplicate
    if dup.any():
        count = int(dup.sum())
        groups = len(np.unique(a.exact_first[dup]))
        out.append(
            _issue(
                "duplicate",
                dup,
                a.row_numbers,
                t.severity(count / n, t.DUPLICATE_WARN, t.DUPLICATE_ERROR),
                f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'repeats', 'repeat')} an earlier row exactly (ignoring case and "
                f"whitespace), in {plural(groups, 'group')}; listed rows are the later copies",
                fix="dedup_exact",
                suggestion="keep the first copy of each",
                details={"groups": groups},
            )
        )
    near = a.near_duplicate
    if near.any():
        count = int(near.sum())
        clusters = len(np.unique(a.near_parent[near]))
        out.append(
            _issue(
                "near_duplicate",
                near,
                a.row_numbers,
                t.severity(count / n, t.NEAR_DUPLICATE_WARN, t.NEAR_DUPLICATE_ERROR),
                f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'is a near copy', 'are near copies')} of an earlier row (at least "
                f"{t.NEAR_DUPLICATE_JACCARD:.0%} of their words shared, or up to {t.NEAR_DUPLICATE_SLACK_WORDS} "
                "differing words in short rows), around "
                f"{plural(clusters, 'kept row')}",
                fix="dedup_near",
                suggestion="drop the near copies, keeping the first of each cluster",
                details={
                    "clusters": clusters,
                    "pairs": [
                        [int(a.row_numbers[i]), int(a.row_numbers[j])] for i, j in a.near_pairs[:20].tolist()
                    ],
                },
            )
        )
    return out


def _lengths(a: Analysis, context_length: int) -> list[Issue]:
    out: list[Issue] = []
    n, lengths = a.n, a.lengths
    present = ~a.missing
    mean_in = float(lengths.input_tokens[present].mean()) if present.any() else 0.0
    mean_out = float(lengths.output_tokens[present].mean()) if present.any() else 0.0
    if lengths.too_short.any():
        count = int(lengths.too_short.sum())
        warn = mean_in < t.SHORT_INPUT_TOKENS or count / n > t.SHORT_WARN
        out.append(
            _issue(
                "too_short",
                lengths.too_short,
                a.row_numbers,
                "warning" if warn else "info",
                f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'has', 'have')} an input under {t.SHORT_INPUT_TOKENS} tokens "
                f"(average input: {mean_in:.0f} tokens)",
                suggestion="short prompts give the model little to condition on; add context or remove them",
            )
        )
    if lengths.too_long.any():
        count = int(lengths.too_long.sum())
        warn = mean_out > t.LONG_OUTPUT_TOKENS or count / n > t.LONG_WARN
        out.append(
            _issue(
                "too_long",
                lengths.too_long,
                a.row_numbers,
                "warning" if warn else "info",
                f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'has', 'have')} an output over {t.LONG_OUTPUT_TOKENS} tokens "
                f"(average output: {mean_out:.0f} tokens)",
                suggestion="long answers cost memory and time; check they are intended, or shorten them",
            )
        )
    over = a.over_context
    if over.any():
        count = int(over.sum())
        out.append(
            _issue(
                "over_context",
                over,
                a.row_numbers,
                t.severity(count / n, t.OVER_CONTEXT_WARN, t.OVER_CONTEXT_ERROR),
                f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'exceeds', 'exceed')} the {context_length:,}-token context window "
                f"(input + output + ~{t.TEMPLATE_TOKENS_PER_MESSAGE} chat-template tokens per message) and would "
                "be truncated in training",
                fix="drop_over_context",
                suggestion="drop them, or train with a longer context length",
                details={"context_length": context_length},
            )
        )
    heavy_in, heavy_out = lengths.input_heavy, lengths.output_heavy
    if heavy_in.any() or heavy_out.any():
        n_in, n_out = int(heavy_in.sum()), int(heavy_out.sum())
        parts = []
        if n_in:
            swapped = (
                " — most rows are like this: check the input and output columns are not swapped"
                if (n_in / max(int(present.sum()), 1) > 0.5)
                else ""
            )
            parts.append(
                f"{plural(n_in, 'row')} {verb(n_in, 'has', 'have')} an input over {t.IMBALANCE_RATIO:.0f}x longer than the output "
                f"(few learned tokens per example{swapped})"
            )
        if n_out:
            parts.append(
                f"{plural(n_out, 'row')} {verb(n_out, 'has', 'have')} an output over {t.IMBALANCE_RATIO:.0f}x longer than the input "
                "(normal for open-ended writing; check the prompt gives enough to go on)"
            )
        mask = heavy_in | heavy_out
        out.append(
            _issue(
                "length_imbalance",
                mask,
                a.row_numbers,
                "warning" if n_in / n > t.IMBALANCE_WARN else "info",
                "; ".join(parts),
                suggestion="review these rows",
                details={"input_heavy": n_in, "output_heavy": n_out},
            )
        )
    return out


def _encoding(a: Analysis) -> Issue | None:
    enc = a.encoding
    mask = enc.any
    if not mask.any():
        return None
    count, n = int(mask.sum()), a.n
    parts = []
    if enc.replacement.any():
        parts.append(
            f"{int(enc.replacement.sum()):,} with U+FFFD replacement characters (bytes that were not "
            "valid UTF-8; the original characters are lost)"
        )
    if enc.mojibake.any():
        parts.append(
            f"{int(enc.mojibake.sum()):,} with mojibake (UTF-8 read with the wrong codec, e.g. 'Ã©' for 'é')"
        )
    if enc.control.any():
        parts.append(f"{int(enc.control.sum()):,} with control characters")
    fixable = bool(enc.mojibake.any() or enc.control.any())
    return _issue(
        "encoding",
        mask,
        a.row_numbers,
        "warning" if count / n > t.ENCODING_WARN else "info",
        f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'has', 'have')} damaged text: "
        + "; ".join(parts),
        fix="repair_mojibake" if fixable else None,
        suggestion="repair mojibake and control characters with ftfy; re-export rows with U+FFFD as UTF-8",
        details={
            "replacement": int(enc.replacement.sum()),
            "mojibake": int(enc.mojibake.sum()),
            "control": int(enc.control.sum()),
        },
    )


def _language(a: Analysis) -> Issue | None:
    lang = a.language
    mask = lang.mismatch
    if not mask.any() and not lang.estimated_unchecked_mismatches:
        return None
    count, n = int(mask.sum()), a.n
    others: dict[str, int] = {}
    for code in lang.language[mask].tolist():  # the mismatching side's language
        others[code] = others.get(code, 0) + 1
    listing = ", ".join(f"{language_name(k)} {v:,}" for k, v in sorted(others.items(), key=lambda kv: -kv[1]))
    dominant = language_name(lang.inputs.dominant)
    if lang.outputs.dominant not in ("", lang.inputs.dominant):
        dominant += f" (inputs) / {language_name(lang.outputs.dominant)} (outputs)"
    message = (
        f"most rows are in {dominant}; {plural(count, 'row')} ({percent(count, n)}) "
        f"{verb(count, 'is', 'are')} in another language" + (f" ({listing})" if listing else "")
    )
    if lang.estimated_unchecked_mismatches:
        message += (
            f"; about {lang.estimated_unchecked_mismatches:,} more are estimated among rows not checked "
            "one by one"
        )
    share = (count + lang.estimated_unchecked_mismatches) / n
    return _issue(
        "language_mismatch",
        mask,
        a.row_numbers,
        "warning" if share > t.LANGUAGE_WARN else "info",
        message,
        suggestion="confirm they belong (a multilingual bot) or remove them",
        details={
            "dominant": lang.dominant,
            "by_language": others,
            "estimated_unchecked": lang.estimated_unchecked_mismatches,
        },
    )


def _pii(a: Analysis) -> Issue | None:
    pii = a.pii
    mask = pii.any
    if not mask.any():
        return None
    count, n = int(mask.sum()), a.n
    parts = []
    for label, kind_mask in (
        ("e-mail addresses", pii.email),
        ("phone numbers", pii.phone),
        ("card numbers", pii.card),
    ):
        if kind_mask.any():
            parts.append(f"{label} ({plural(int(kind_mask.sum()), 'row')})")
    if pii.secret.any():
        kinds = ", ".join(sorted(pii.secret_kinds))
        parts.append(f"secrets/API keys ({plural(int(pii.secret.sum()), 'row')}: {kinds})")
    return _issue(
        "pii",
        mask,
        a.row_numbers,
        "error" if pii.secret.any() else "warning",
        f"{plural(count, 'row')} ({percent(count, n)}) {verb(count, 'contains', 'contain')} "
        + ", ".join(parts)
        + (" (checked on a sample of the candidate rows)" if pii.sampled else ""),
        suggestion="remove or mask them before training: models can repeat training data verbatim; "
        "revoke any real credential",
        details={
            "email": int(pii.email.sum()),
            "phone": int(pii.phone.sum()),
            "card": int(pii.card.sum()),
            "secret": int(pii.secret.sum()),
            "secret_kinds": dict(pii.secret_kinds),
        },
    )


def _leakage(a: Analysis) -> Issue | None:
    if a.leakage is None or a.test_row_numbers is None:
        return None
    mask = a.leakage.any
    if not mask.any():
        return None
    count, total = int(mask.sum()), len(mask)
    exact, near = int(a.leakage.exact.sum()), int(a.leakage.near.sum())
    severity = "error" if count / total > t.LEAKAGE_ERROR else "warning"
    return _issue(
        "leakage",
        mask,
        a.test_row_numbers,
        severity,
        f"{count:,} of {total:,} test rows ({percent(count, total)}) repeat a training row ({exact:,} exactly, "
        f"{near:,} nearly): evaluation scores would be inflated; listed rows are test rows",
        suggestion="re-split with `vibeflow data split` (keeps duplicate groups on one side) or deduplicate first",
        details={"exact": exact, "near": near, "test_rows": total},
    )


def _size(n: int) -> Issue | None:
    if n == 0:
        return Issue("size", "error", 0, "the dataset has no rows", suggestion="import a file with examples")
    if n < t.SIZE_MIN_ROWS:
        return Issue(
            "size",
            "warning",
            n,
            f"only {plural(n, 'row')}: fine-tuning on fewer than {t.SIZE_MIN_ROWS} examples overfits easily",
            suggestion="aim for 500+ varied examples",
        )
    if n > t.SIZE_LARGE_ROWS:
        return Issue(
            "size",
            "info",
            n,
            f"{n:,} rows: training time and cost grow with size",
            suggestion="consider training on a deduplicated sample first",
        )
    return None


def build_issues(a: Analysis, context_length: int) -> list[Issue]:
    found: list[Issue | None] = [
        _missing(a),
        *_duplicates(a),
        *_lengths(a, context_length),
        _encoding(a),
        _language(a),
        _pii(a),
        _leakage(a),
        _size(a.n),
    ]
    issues = [i for i in found if i is not None]
    issues.sort(key=lambda i: (-SEVERITIES.index(i.severity), KINDS.index(i.kind)))
    return issues
