"""Turns SIGTERM/SIGINT into a stop request the training loop honours at the next step boundary."""

from __future__ import annotations

import signal
from types import FrameType

from vibeflow_trainer.event_schema import EXIT_STOPPED_SIGINT, EXIT_STOPPED_SIGTERM


class StopRequest:
    """Installed for the life of a run; `requested` flips on the first SIGTERM/SIGINT."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def reason(self) -> str:
        return "sigint" if self.signum == signal.SIGINT else "sigterm"

    @property
    def exit_code(self) -> int:
        return EXIT_STOPPED_SIGINT if self.signum == signal.SIGINT else EXIT_STOPPED_SIGTERM

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum

    def install(self) -> StopRequest:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread (e.g. embedded); signals then stay untouched
                break
        return self

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]
        self._previous.clear()
