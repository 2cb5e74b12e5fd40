"""Uploaded data files under `$VIBEFLOW_HOME/uploads`: each upload streams into its own staging file (locked
while written), is hashed as it is written, and is renamed atomically to `uploads/<sha256[:16]>/<name>`.
Concurrent uploads with the same name therefore never share a file, and each client gets back the path and
the SHA-256 of exactly its own bytes. Staging files left by a killed backend are removed at the next start."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from vibeflow.data.names import safe_name
from vibeflow.errors import VibeFlowError

CHUNK = 1 << 20
STAGING_GLOB = ".*.partial"  # also matches the shared `.NAME.partial` files of earlier versions
MAX_NAME_BYTES = 200
NAME_FIX = "upload the file under a plain file name such as data.csv (no folders, not '.' or '..')"


@dataclass(frozen=True)
class StoredUpload:
    """Where an upload landed, its SHA-256 (the client's proof that the path holds its content) and size."""

    path: Path
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, str | int]:
        return {"path": str(self.path), "sha256": self.sha256, "bytes": self.bytes}


def upload_name(filename: str | None) -> str:
    """The stored name of an uploaded file; a name with a folder part or control characters, or `.`/`..`,
    is refused (HTTP 400) instead of being silently rewritten into something else."""
    raw = unicodedata.normalize("NFC", filename or "upload")
    if "/" in raw or "\\" in raw or any(unicodedata.category(c) == "Cc" for c in raw):
        raise VibeFlowError(f"upload name {raw!r} has a folder part or control characters", fix=NAME_FIX)
    name = safe_name(raw.strip())
    if not name.strip("."):
        raise VibeFlowError(f"upload name {raw!r} is not a file name", fix=NAME_FIX)
    if len(name.encode()) > MAX_NAME_BYTES:
        raise VibeFlowError(f"upload name is longer than {MAX_NAME_BYTES} bytes", fix=NAME_FIX)
    return name


def uploads_dir(home: Path) -> Path:
    return home / "uploads"


def store_upload(uploads: Path, name: str, source: BinaryIO) -> StoredUpload:
    """Copy `source` into a fresh staging file, then rename it into place under its content hash."""
    uploads.mkdir(parents=True, exist_ok=True)
    fd, staged_name = tempfile.mkstemp(prefix=".upload-", suffix=".partial", dir=uploads)
    staged = Path(staged_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            fcntl.flock(out, fcntl.LOCK_EX)  # tells a starting backend's sweep that this one is alive
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
            final = uploads / digest.hexdigest()[:16] / name
            final.parent.mkdir(exist_ok=True)
            os.replace(staged, final)  # still locked: the sweep never sees a finished file as stale
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return StoredUpload(final, digest.hexdigest(), size)


def sweep_staging(uploads: Path) -> int:
    """Delete staging files nobody is writing (left by a kill); returns how many were removed."""
    removed = 0
    for path in uploads.glob(STAGING_GLOB) if uploads.is_dir() else ():
        try:
            handle = open(path, "rb")  # noqa: SIM115 - held until the unlink below
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live upload (another backend on this home) holds it
            path.unlink(missing_ok=True)
            removed += 1
    return removed
