"""ORM models of evaluations (see migration evaluation)."""

from __future__ import annotations

from vibeflow.store.models import Base  # noqa: F401 - tables declared here register on Base.metadata
