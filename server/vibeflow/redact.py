"""Keeps secrets out of every log line: once a secret (the session token) is registered, any log record whose
message contains it is rewritten with `…` in its place, whatever logger or handler writes it (pygls at DEBUG
logs the LSP initialize result, which carries the token)."""

from __future__ import annotations

import logging
from typing import Any

MASK = "…redacted…"
_secrets: set[str] = set()
_installed = False


def hide(secret: str) -> None:
    """Never let `secret` reach a log record from now on."""
    global _installed
    if len(secret) >= 8:
        _secrets.add(secret)
    if not _installed:
        _installed = True
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _secrets:
                _scrub(record)
            return record

        logging.setLogRecordFactory(factory)


def redacted(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record: leave it to logging's own error handling
        return
    clean = redacted(message)
    if clean != message:
        record.msg, record.args = clean, None
