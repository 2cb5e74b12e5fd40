"""Finds the `vibeflow.yaml` on disk that references a dataset file, for datasets opened without their recipe.

Walks up from the dataset's folder (at most to the filesystem root, a few levels in practice) and reads
each recipe once per modification time, so opening a dataset costs a few stat calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECIPE_NAMES = ("vibeflow.yaml", "vibeflow.yml")
MAX_LEVELS = 6


@dataclass(frozen=True)
class DiskRecipe:
    path: Path
    recipe: Any
    values: dict[str, Any]
    data_path: Path | None


@functools.lru_cache(maxsize=32)
def _load(path: str, mtime_ns: int) -> DiskRecipe | None:
    from vibeflow.recipe.loader import validate_text
    from vibeflow.recipe.presets import resolve_training

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    recipe, _ = validate_text(text, path)
    if recipe is None:
        return None
    data = (Path(path).parent / recipe.data.path).resolve() if recipe.data.path else None
    return DiskRecipe(Path(path), recipe, resolve_training(recipe), data)


def recipe_for(data_file: Path) -> DiskRecipe | None:
    """The nearest valid recipe above `data_file` whose data.path is that file."""
    target = data_file.resolve()
    folder = target.parent
    for _ in range(MAX_LEVELS):
        for name in RECIPE_NAMES:
            candidate = folder / name
            try:
                stat = candidate.stat()
            except OSError:
                continue
            found = _load(str(candidate), stat.st_mtime_ns)
            if found is not None and found.data_path == target:
                return found
        if folder.parent == folder:
            break
        folder = folder.parent
    return None
