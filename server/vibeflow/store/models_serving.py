"""ORM models of deployments, API keys and usage (see migration serving)."""

from __future__ import annotations

from vibeflow.store.models import Base  # noqa: F401 - tables declared here register on Base.metadata
