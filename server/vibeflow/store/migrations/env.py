"""Alembic environment: migrations run on the connection VibeFlow hands over (see store/migrate.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from vibeflow.settings import load_settings
from vibeflow.store import (  # noqa: F401 - each registers its tables on Base.metadata
    models_agent,
    models_cloud,
    models_evaluation,
    models_runs,
    models_serving,
)
from vibeflow.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic revision --autogenerate` from the command line: use a sync driver on the same database
    url = load_settings().database_url.replace("+aiosqlite", "")
    with create_engine(url).connect() as sync_connection:
        _run(sync_connection)
        sync_connection.commit()
