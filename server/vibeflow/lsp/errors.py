"""Typed errors of the language server, so a failing handler reports what broke and what to do about it."""

from __future__ import annotations

from vibeflow.errors import VibeFlowError


class LspError(VibeFlowError):
    """Something went wrong while serving an editor request."""


class DocumentSyncError(LspError):
    """The editor sent a change for a document we do not hold, or a range outside it."""
