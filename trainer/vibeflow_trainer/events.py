"""Writes each event once to stdout (prefixed) and to events.jsonl, with a seq that survives resumes."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from vibeflow_trainer.event_schema import EVENT_PREFIX

_TAIL_BYTES = 64 * 1024


def last_seq(path: Path) -> int:
    """Return the seq of the last complete event in a journal, or 0; a line cut by SIGKILL is ignored."""
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        start = max(0, size - _TAIL_BYTES)
        while True:
            handle.seek(start)
            lines = handle.read().splitlines()
            if start > 0:
                lines = lines[1:]  # the first line may be cut by the seek
            for raw in reversed(lines):
                try:
                    return int(json.loads(raw)["seq"])
                except (ValueError, KeyError, TypeError):
                    continue
            if start == 0:
                return 0
            start = max(0, start - _TAIL_BYTES * 16)


def _clean(value: Any) -> Any:
    """Make values JSON-safe: NaN/inf floats become None, tuples lists, paths strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


class EventWriter:
    """Emits events; durable events (stage changes, checkpoints, errors) are fsync'd to the journal."""

    def __init__(self, journal: Path | None, run_id: str, stream: IO[str] | None = None) -> None:
        self.journal = journal
        self.run_id = run_id
        self._stream = stream
        self._lock = threading.Lock()
        self._handle: IO[str] | None = None
        self._seq = 0
        if journal is not None:
            journal.parent.mkdir(parents=True, exist_ok=True)
            self._seq = last_seq(journal)
            needs_newline = (
                journal.exists() and journal.stat().st_size > 0 and not _ends_with_newline(journal)
            )
            self._handle = journal.open("a", encoding="utf-8")
            if needs_newline:  # keep a line cut by SIGKILL on its own line
                self._handle.write("\n")

    @property
    def seq(self) -> int:
        return self._seq

    def emit(self, event_type: str, durable: bool = False, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._seq += 1
            event = {"seq": self._seq, "ts": round(time.time(), 3), "type": event_type, "run_id": self.run_id}
            event.update(_clean(fields))
            line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            # Journal first: a SIGKILL between the two writes must never leave an event on stdout that the
            # journal lacks, or the resumed trainer would reuse its seq for a different event.
            if self._handle is not None:
                self._handle.write(line + "\n")
                self._handle.flush()
                if durable:
                    os.fsync(self._handle.fileno())
            stream = self._stream or sys.stdout
            stream.write(EVENT_PREFIX + line + "\n")
            stream.flush()
            return event

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                self._handle = None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_events(text: str) -> list[dict[str, Any]]:
    """Parse the events out of captured stdout (lines with the prefix) or a journal (plain JSON lines)."""
    events = []
    for line in text.splitlines():
        if line.startswith(EVENT_PREFIX):
            line = line[len(EVENT_PREFIX) :]
        elif not line.startswith("{"):
            continue
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
