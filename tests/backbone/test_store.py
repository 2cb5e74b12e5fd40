"""Store: migrations reach head, WAL is on, artifacts are content-addressed and immutable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vibeflow.settings import load_settings
from vibeflow.store.artifacts import ArtifactStore, sha256_file
from vibeflow.store.db import open_database


async def test_migrations_create_tables_in_wal_mode(vibeflow_home: Path) -> None:
    settings = load_settings()
    async with open_database(settings):
        pass
    async with open_database(settings):  # idempotent second start
        pass
    con = sqlite3.connect(vibeflow_home / "vibeflow.db")
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"projects", "datasets", "dataset_versions", "alembic_version"} <= tables
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert con.execute("select count(*) from alembic_version").fetchone()[0] == 1


def test_artifacts_are_content_addressed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    source = tmp_path / "a.txt"
    source.write_text("hello")
    digest, final = store.put_file(source)
    assert digest == sha256_file(source)
    assert final.name == f"{digest}.txt" and final.read_text() == "hello"
    again, final_again = store.put_file(source)
    assert (again, final_again) == (digest, final)
    assert not list((tmp_path / "artifacts" / "staging").iterdir())
    assert final.stat().st_mode & 0o222 == 0  # read-only: versions are immutable


CRASH_MID_MIGRATION = """
import asyncio, os, signal
from alembic.operations import Operations
from vibeflow.settings import load_settings
from vibeflow.store.db import open_database

real_create_table = Operations.create_table
created = []

def create_then_die(self, name, *columns, **kw):
    table = real_create_table(self, name, *columns, **kw)
    created.append(name)
    if len(created) == 2:  # half-way through the first migration
        os.kill(os.getpid(), signal.SIGKILL)
    return table

Operations.create_table = create_then_die

async def main():
    async with open_database(load_settings()):
        pass

asyncio.run(main())
"""


async def test_kill_during_first_migration_leaves_no_half_schema(vibeflow_home: Path) -> None:
    import subprocess
    import sys

    crashed = subprocess.run([sys.executable, "-c", CRASH_MID_MIGRATION], capture_output=True, text=True)
    assert crashed.returncode == -9, crashed.stderr
    con = sqlite3.connect(vibeflow_home / "vibeflow.db")
    leftovers = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    con.close()
    assert leftovers <= {"alembic_version"}, "a killed migration must roll back entirely"
    async with open_database(load_settings()):  # the next start migrates from scratch
        pass
    con = sqlite3.connect(vibeflow_home / "vibeflow.db")
    assert con.execute("select count(*) from projects").fetchone()[0] >= 0
    assert con.execute("select count(*) from alembic_version").fetchone()[0] == 1
