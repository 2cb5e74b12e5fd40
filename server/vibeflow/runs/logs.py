"""Reads the last lines of a run's console log without loading a multi-gigabyte file."""

from __future__ import annotations

import os
from pathlib import Path

from vibeflow.runs.events import EVENT_PREFIX

BLOCK = 64 * 1024


def read_log_tail(path: Path, lines: int = 200, include_events: bool = False) -> list[str]:
    """The last `lines` lines of trainer.log; event lines (prefixed JSON) are skipped unless asked for."""
    if not path.exists():
        return []
    wanted: list[str] = []
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        buffer = b""
        while end > 0 and len(wanted) <= lines:
            start = max(0, end - BLOCK)
            handle.seek(start)
            buffer = handle.read(end - start) + buffer
            end = start
            text = buffer.decode("utf-8", errors="replace").splitlines()
            if end > 0:
                text = text[1:]  # possibly cut
            wanted = [line for line in text if include_events or EVENT_PREFIX not in line]
    return wanted[-lines:]
