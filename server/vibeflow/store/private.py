"""Owner-only state: everything under `$VIBEFLOW_HOME` (database and its -wal/-shm journals, artifacts, run
folders, logs, uploads, keys, server.json with the session token) is readable by this user alone.

`restrict_new_files` sets the process umask to 077 when a VibeFlow process starts, so every file it or its
children (trainer, engines) create is 0600 and every folder 0700; `tighten` removes the group/other bits
from what an earlier version created, once per backend start."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
OPEN_BITS = 0o077


def restrict_new_files() -> None:
    """From now on this process (and what it spawns) creates files 0600 and folders 0700."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """`path` as a folder only this user can enter (created if missing, tightened if it exists)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _strip(path)
    return path


def tighten(root: Path) -> int:
    """Remove group/other permission bits from `root` and everything under it (symlinks are left alone:
    their targets are not ours to change); returns how many entries were changed.

    Only a folder dedicated to VibeFlow is walked: a VIBEFLOW_HOME pointed at the user's home directory (or
    one above it) or at a shared sticky folder such as /tmp is left as it is.
    """
    if not root.is_dir() or not _dedicated(root):
        return 0
    changed = int(_strip(root))
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            changed += _strip(Path(folder, name))
    return changed


def _dedicated(root: Path) -> bool:
    resolved, user_home = root.resolve(), Path.home().resolve()
    if resolved == user_home or resolved in user_home.parents:
        return False
    return not os.stat(resolved).st_mode & stat.S_ISVTX


def _strip(path: Path) -> bool:
    with contextlib.suppress(OSError):  # vanished meanwhile, or not ours: nothing to do
        mode = os.lstat(path).st_mode
        if not stat.S_ISLNK(mode) and mode & OPEN_BITS:
            os.chmod(path, stat.S_IMODE(mode) & ~OPEN_BITS)
            return True
    return False
