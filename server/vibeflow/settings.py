"""Where VibeFlow keeps its state, resolved once from the environment so every module agrees."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Paths and URLs of the local state; `VIBEFLOW_HOME` (default ~/.vibeflow) holds the DB and artifacts."""

    home: Path
    database_url: str

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"


def load_settings() -> Settings:
    home = Path(os.environ.get("VIBEFLOW_HOME") or Path.home() / ".vibeflow").expanduser().resolve()
    url = os.environ.get("VIBEFLOW_DATABASE_URL") or f"sqlite+aiosqlite:///{home / 'vibeflow.db'}"
    return Settings(home=home, database_url=url)
