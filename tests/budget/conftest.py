"""Budget tests reuse the run-management fixtures: an open store, stored splits, the scripted trainer, a queue."""

from __future__ import annotations

from tests.runs.conftest import fake_trainer, manager, serve  # noqa: F401 - fixtures (settings, db: tests/conftest.py)
