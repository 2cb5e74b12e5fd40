"""Finds, validates and seals checkpoints so a resume only ever starts from a complete one."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

from vibeflow_trainer.errors import InvalidSpecError

CHECKPOINTS_DIRNAME = "checkpoints"
MARKER = "vibeflow_checkpoint.json"
_PATTERN = re.compile(r"^checkpoint-(\d+)$")


def checkpoints_dir(output_dir: str | Path) -> Path:
    return Path(output_dir) / CHECKPOINTS_DIRNAME


def list_checkpoints(root: Path) -> list[tuple[int, Path, bool]]:
    """(step, path, complete) for every checkpoint-N directory, oldest first."""
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        match = _PATTERN.match(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child, (child / MARKER).is_file()))
    return sorted(found)


def newest_complete(root: Path) -> Path | None:
    complete = [path for _, path, ok in list_checkpoints(root) if ok]
    return complete[-1] if complete else None


def discard_incomplete(root: Path) -> list[Path]:
    """Remove checkpoint directories a SIGKILL cut mid-write (they have no completion marker)."""
    removed = []
    for _, path, ok in list_checkpoints(root):
        if not ok:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def resolve_resume(mode: str, output_dir: str | Path) -> Path | None:
    """auto: newest complete checkpoint or None; none: None (refuses to overwrite one); else an explicit path."""
    root = checkpoints_dir(output_dir)
    if mode == "auto":
        return newest_complete(root)
    if mode == "none":
        existing = newest_complete(root)
        if existing is not None:
            raise InvalidSpecError(
                f"{output_dir} already holds checkpoints of an earlier run ({existing.name})",
                "resume it with --resume auto, or choose a new output_dir",
            )
        return None
    path = Path(mode).expanduser().resolve()
    if not (path / "trainer_state.json").is_file():
        raise InvalidSpecError(
            f"--resume {mode}: not a checkpoint directory (no trainer_state.json)",
            "pass --resume auto, --resume none, or the path of a checkpoint-N directory",
        )
    return path


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def seal(path: Path, step: int) -> None:
    """fsync every file of a finished checkpoint, then write the completion marker (also fsync'd)."""
    for file in sorted(path.rglob("*")):
        if file.is_file():
            _fsync(file)
    marker = path / MARKER
    with marker.open("w", encoding="utf-8") as handle:
        json.dump({"step": step, "sealed_at": time.time()}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    _fsync(path)
    _fsync(path.parent)


def checkpoint_step(path: Path) -> int:
    state = json.loads((path / "trainer_state.json").read_text(encoding="utf-8"))
    return int(state.get("global_step", 0))
