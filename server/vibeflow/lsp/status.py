"""Tells the extension what the server is doing (`vibeflow/status`) and mirrors important lines to its log."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from vibeflow.lsp.contract import STATUS, State, status_payload

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger("vibeflow.lsp")


class StatusReporter:
    """Sends `vibeflow/status` on every change of state and keeps the last payload for late readers."""

    def __init__(self, server: LanguageServer) -> None:
        self._server = server
        self._busy: dict[str, str] = {}
        self.base: tuple[State, str, str | None] = ("starting", "VibeFlow is starting", None)
        self.last: dict[str, Any] | None = None
        self.enabled = False  # only after `initialize` was answered

    def set(self, state: State, message: str, detail: str | None = None) -> None:
        """Change the resting state (starting / ready / error)."""
        self.base = (state, message, detail)
        self._send()

    def busy(self, key: str, message: str) -> None:
        """Mark long work (keyed, e.g. by document) in progress; the newest busy message is shown."""
        self._busy[key] = message
        self._send()

    def idle(self, key: str) -> None:
        if self._busy.pop(key, None) is not None:
            self._send()

    def _send(self) -> None:
        if self._busy:
            payload = status_payload("busy", list(self._busy.values())[-1])
        else:
            payload = status_payload(*self.base)
        if payload == self.last or not self.enabled:
            self.last = payload if self.enabled else self.last
            return
        self.last = payload
        self._server.protocol.notify(STATUS, payload)

    def flush(self) -> None:
        """Send the current state (used once the client has initialized)."""
        self.enabled = True
        self.last = None
        self._send()

    def log(self, message: str, level: types.MessageType = types.MessageType.Info) -> None:
        """A line in the extension's VibeFlow output channel (and on stderr)."""
        logger.log(logging.ERROR if level == types.MessageType.Error else logging.INFO, message)
        if self.enabled:
            self._server.window_log_message(types.LogMessageParams(type=level, message=message))
