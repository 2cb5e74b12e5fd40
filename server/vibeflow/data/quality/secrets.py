"""Credentials in text, found with detect-secrets' own plugins used as a library (no scanning of files, no network).

Only the pattern-based plugins are used: the entropy and keyword plugins are built for source code and flag
ordinary prose, and `analyze_line` is avoided because it may *verify* a secret against its live service.
detect-secrets' heuristic filters for sequential strings, UUIDs and templates drop obvious false positives.
"""

from __future__ import annotations

from functools import lru_cache

EXCLUDED_PLUGINS = frozenset(
    {"Base64HighEntropyString", "HexHighEntropyString", "KeywordDetector", "IPPublicDetector"}
)


@lru_cache(maxsize=1)
def plugins() -> tuple:
    """Instances of detect-secrets' regex-based detectors (AWS, GitHub, Slack, Stripe, private keys, JWT, ...)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    found = []
    for cls in get_mapping_from_secret_type_to_class().values():
        if issubclass(cls, RegexBasedDetector) and cls.__name__ not in EXCLUDED_PLUGINS:
            found.append(cls())
    return tuple(sorted(found, key=lambda p: p.secret_type))


def _false_positive(secret: str) -> bool:
    from detect_secrets.filters.heuristic import is_potential_uuid, is_sequential_string, is_templated_secret

    return is_sequential_string(secret) or is_potential_uuid(secret) or is_templated_secret(secret)


def secret_types(text: str) -> set[str]:
    """detect-secrets' names of the kinds of credential found in `text` (empty when none)."""
    kinds: set[str] = set()
    for plugin in plugins():
        for secret in plugin.analyze_string(text):
            if secret and not _false_positive(str(secret)):
                kinds.add(plugin.secret_type)
                break
    return kinds
