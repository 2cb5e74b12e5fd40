"""Entry point for multi-GPU runs (`accelerate launch -m vibeflow_trainer.rank_launch run SPEC`): one event stream.

Every rank trains, but only global rank 0 (RANK, set by accelerate/torchrun) writes events to stdout and to
events.jsonl; the other ranks' EventWriters become silent, so the journal and the backend see one stream.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def global_rank() -> int:
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def silence_events() -> None:
    """Make EventWriter keep counting seq (so ranks agree) but write nothing."""
    from vibeflow_trainer import events

    def emit(self: Any, event_type: str, durable: bool = False, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._seq += 1
            return {"seq": self._seq, "type": event_type, "run_id": self.run_id, **fields}

    def init(self: Any, journal: Any, run_id: str, stream: Any = None) -> None:
        import threading

        self.journal, self.run_id, self._stream = None, run_id, stream
        self._lock, self._handle = threading.Lock(), None
        self._seq = events.last_seq(journal) if journal is not None else 0

    events.EventWriter.emit = emit  # type: ignore[method-assign]
    events.EventWriter.__init__ = init  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    if global_rank() != 0:
        silence_events()
    from vibeflow_trainer.cli import main as cli_main

    return cli_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
