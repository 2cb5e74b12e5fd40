"""Budget tests reuse the run-management fixtures: an open store, stored splits, the scripted trainer, a queue."""

from __future__ import annotations

from tests.runs.conftest import db, fake_trainer, manager, serve, settings  # noqa: F401 - fixtures
