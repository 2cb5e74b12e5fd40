"""Content-addressed artifact store: files are named by their SHA-256 and written atomically, so never half-there."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ArtifactStore:
    """Keeps immutable files under `root/sha256/ab/<hash><suffix>`; identical content is stored once."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, digest: str, suffix: str = "") -> Path:
        return self.root / "sha256" / digest[:2] / f"{digest}{suffix}"

    def staging_file(self, suffix: str = "") -> Path:
        """A fresh temp path on the same filesystem, so the final move is an atomic rename."""
        staging = self.root / "staging"
        staging.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(suffix=suffix, dir=staging)
        os.close(fd)
        return Path(name)

    def commit(self, staged: Path, suffix: str = "") -> tuple[str, Path]:
        """Move a fully written staged file into place under its hash; returns (digest, final path)."""
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        digest = sha256_file(staged)
        final = self.path_for(digest, suffix)
        if final.exists():
            staged.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            os.chmod(final, 0o400)  # immutable, and owner-only like everything in VIBEFLOW_HOME
            _fsync_dir(final.parent)
        return digest, final

    def put_file(self, source: Path, suffix: str | None = None) -> tuple[str, Path]:
        suffix = source.suffix if suffix is None else suffix
        staged = self.staging_file(suffix)
        shutil.copyfile(source, staged)
        return self.commit(staged, suffix)

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def resolve(self, relative: str) -> Path:
        return self.root / relative


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
