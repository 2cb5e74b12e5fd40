"""Typed errors of run management, each with the fix a user can act on."""

from __future__ import annotations

from vibeflow.errors import VibeFlowError


class RunError(VibeFlowError):
    """A run cannot be created or launched (bad data, missing trainer, unsupported target)."""


class RunStateError(RunError):
    """The action does not fit the run's status (e.g. resume a completed run)."""

    def __post_init__(self) -> None:
        self.http_status = 409
        super().__post_init__()
