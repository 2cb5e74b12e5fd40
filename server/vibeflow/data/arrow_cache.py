"""Write canonical batches straight to an Arrow file in VibeFlow's cache and open it memory-mapped as a Dataset."""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path
from types import TracebackType

import datasets
import pyarrow as pa

from vibeflow.data.canonical import SCHEMA
from vibeflow.settings import load_settings


def imports_dir() -> Path:
    return load_settings().cache_dir / "imports"


def file_sha256(path: Path, cancel: threading.Event | None = None, chunk: int = 4 << 20) -> str:
    """SHA-256 of a file, read in chunks (hashlib releases the GIL, so this can run beside the import);
    returns "" early once `cancel` is set."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            if cancel is not None and cancel.is_set():
                return ""
            digest.update(block)
    return digest.hexdigest()


class CanonicalWriter:
    """Streams canonical tables to a temporary Arrow file; `finish` renames it into place and opens it."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or imports_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tmp = self.directory / f".tmp-{uuid.uuid4().hex}.arrow"
        self._sink = pa.OSFile(str(self.tmp), "wb")
        self._writer = pa.ipc.new_stream(self._sink, SCHEMA)
        self.rows = 0
        self._open = True

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def finish(self, name: str) -> datasets.Dataset:
        self._close()
        final = self.directory / name
        os.replace(self.tmp, final)
        return datasets.Dataset.from_file(str(final))

    def abort(self) -> None:
        if self._open:
            self._close()
        self.tmp.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._open:
            self._writer.close()
            self._sink.close()
            self._open = False

    def __enter__(self) -> CanonicalWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._open or self.tmp.exists():
            self.abort()
