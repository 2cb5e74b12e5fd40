"""The one error type of the cloud package: a VibeFlowError that also names its fault class (`kind`)."""

from __future__ import annotations

from dataclasses import dataclass

from vibeflow.errors import VibeFlowError


@dataclass
class CloudError(VibeFlowError):
    """A cloud failure with a message, a fix and a machine-readable class (see faults.py)."""

    kind: str = "cloud"
