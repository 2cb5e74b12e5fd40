"""Async engine and session factory; SQLite runs in WAL mode with durable commits so the store survives kill -9."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from vibeflow.settings import Settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _driver_transactions_off(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    dbapi_connection.isolation_level = None


def _begin_immediate(connection) -> None:  # noqa: ANN001 - SQLAlchemy Connection
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, schema_changes: bool = False) -> AsyncEngine:
    """The store's engine; with `schema_changes`, one whose transactions also cover DDL (for migrations).

    The sqlite3 driver emits no BEGIN before DDL, so a kill -9 during a migration could leave half a schema.
    The migration engine turns the driver's transaction handling off and begins each transaction itself
    with BEGIN IMMEDIATE (the write lock first, so two processes starting at once upgrade one after the other).
    Everyday sessions keep the driver's handling: BEGIN just before the first write, never a stale snapshot.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if schema_changes:
            event.listen(engine.sync_engine, "connect", _driver_transactions_off)
            event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


class Database:
    """Owns the engine, runs migrations once, and hands out sessions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    async def migrate(self) -> None:
        from vibeflow.store.migrate import upgrade_to_head

        engine = make_engine(self.settings.database_url, schema_changes=True)
        try:
            async with engine.begin() as conn:  # one transaction: all of the upgrade, or none of it
                await conn.run_sync(upgrade_to_head)
        finally:
            await engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    async def close(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings)
    try:
        await db.migrate()
        yield db
    finally:
        await db.close()
