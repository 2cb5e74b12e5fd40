"""Loads `vibeflow.yaml` and turns every problem into an error naming the file, the line and the fix.

YAML is composed into nodes first so each key keeps its line; pydantic's error locations are then mapped
back to those lines, and unknown keys get a "did you mean" from the fields allowed at that level.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from vibeflow.errors import ConfigError
from vibeflow.recipe.model import Recipe

RECIPE_FILE = "vibeflow.yaml"
Loc = tuple[str | int, ...]


class RecipeError(ConfigError):
    """`vibeflow.yaml` is missing, not valid YAML, or breaks a rule; `details['issues']` lists every problem."""


@dataclass
class RecipeIssue:
    """One problem in a recipe, located for diagnostics (1-based line and column)."""

    message: str
    fix: str
    line: int
    column: int = 1
    field: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "fix": self.fix,
            "line": self.line,
            "column": self.column,
            "field": self.field,
        }


def _positions(
    node: yaml.Node, path: Loc, out: dict[Loc, tuple[int, int]], dupes: list[tuple[Loc, int]]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            if key in seen:
                dupes.append((child, key_node.start_mark.line + 1))
            seen.add(key)
            out[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _positions(value_node, child, out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            out[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _positions(item, child, out, dupes)


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at `loc` (for listing its allowed keys)."""
    model: type[BaseModel] = Recipe
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _field_info(loc: Loc):  # noqa: ANN202 - pydantic FieldInfo or None
    while loc and isinstance(loc[-1], int):  # an item of a list: describe the list field
        loc = loc[:-1]
    parent = _model_at(loc[:-1]) if loc else None
    return parent.model_fields.get(str(loc[-1])) if parent else None


def _issue_for(error: dict[str, Any], positions: dict[Loc, tuple[int, int]]) -> RecipeIssue:
    loc: Loc = tuple(error["loc"])
    # Union members and validators add non-key parts to the location; keep the longest real key path.
    keys = tuple(part for part in loc if isinstance(part, int) or not part[:1].isupper())
    while keys and keys not in positions and error["type"] != "missing":
        keys = keys[:-1]
    dotted = ".".join(str(part) for part in keys)
    line, column = positions.get(keys) or positions.get(keys[:-1]) or (1, 1)
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(keys[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(keys[-1]), allowed, n=1, cutoff=0.6)
        fix = f"did you mean '{close[0]}'?" if close else "remove it"
        return RecipeIssue(
            f"unknown field '{dotted}'", f"{fix} (allowed here: {', '.join(allowed)})", line, column, dotted
        )
    if kind == "missing":
        info = _field_info(keys)
        hint = f" — {info.description}" if info and info.description else ""
        example = f" e.g. {keys[-1]}: {info.examples[0]}" if info and info.examples else ""
        return RecipeIssue(
            f"required field '{dotted}' is missing", f"add it{example}{hint}", line, column, dotted
        )
    info = _field_info(keys) if keys else None
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    shown = f" (got {given!r})" if given is not None and not isinstance(given, dict | list) else ""
    if kind == "literal_error":
        fix = f"use one of: {error.get('ctx', {}).get('expected', '')}"
    elif kind == "value_error":
        fix = message
    else:
        fix = info.description if info and info.description else "see docs/runs.md for this field"
        if info and info.examples:
            fix += f" Example: {info.examples[0]}"
    label = f"'{dotted}': " if dotted else ""
    return RecipeIssue(f"{label}{message}{shown}", fix, line, column, dotted)


def _yaml_issue(error: yaml.YAMLError, text: str) -> RecipeIssue:
    """The issue for text that is not YAML at all, located at the offending character."""
    if isinstance(error, yaml.reader.ReaderError):
        at = max(0, min(error.position, len(text)))
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        return RecipeIssue(
            f"invalid YAML: control character U+{code:04X} is not allowed",
            "delete the invisible character (often pasted from a terminal or a PDF), or quote it as an escape "
            'in a double-quoted string, e.g. "\\t"',
            line,
            column,
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return RecipeIssue(
        f"invalid YAML: {getattr(error, 'problem', None) or 'invalid YAML'}",
        "check indentation (spaces, not tabs), colons after keys and quotes around values containing ':' or '#'",
        line,
        column,
    )


def validate_text(text: str, file: str = RECIPE_FILE) -> tuple[Recipe | None, list[RecipeIssue]]:
    """Parse and validate recipe text; returns the recipe (or None) and every issue found, located."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:  # MarkedYAMLError (syntax) and ReaderError (control characters)
        return None, [_yaml_issue(error, text)]
    if data is None:
        return None, [
            RecipeIssue("the recipe is empty", "run `vibeflow init` to write a commented recipe", 1)
        ]
    if not isinstance(data, dict):
        return None, [
            RecipeIssue(
                "the recipe must be a mapping of keys to values",
                "start with `name: my-model` on the first line",
                1,
            )
        ]
    positions: dict[Loc, tuple[int, int]] = {}
    dupes: list[tuple[Loc, int]] = []
    if root is not None:
        _positions(root, (), positions, dupes)
    issues = [
        RecipeIssue(
            f"'{'.'.join(map(str, loc))}' is set twice",
            "keep one of the two lines (the last one wins otherwise)",
            line,
            1,
            ".".join(map(str, loc)),
        )
        for loc, line in dupes
    ]
    recipe, invalid = _validated(data, positions)
    issues = sorted(issues + invalid, key=lambda issue: issue.line) if invalid else issues
    return (None if issues else recipe), issues


def _validated(data: Any, positions: dict[Loc, tuple[int, int]]) -> tuple[Recipe | None, list[RecipeIssue]]:
    try:
        return Recipe.model_validate(data), []
    except ValidationError as error:
        return None, [_issue_for(e, positions) for e in error.errors(include_url=False)]


def _key_paths(node: Any, prefix: Loc = ()) -> list[Loc]:
    """Every key path of parsed data (no lines to point at, but issues still name their field)."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    return [p for key, value in items for p in [(*prefix, key), *_key_paths(value, (*prefix, key))]]


def _raise_first(issues: list[RecipeIssue], file: str, located: bool = True) -> None:
    first = issues[0]
    more = f" (and {len(issues) - 1} more problem(s))" if len(issues) > 1 else ""
    raise RecipeError(
        first.message + more,
        fix=first.fix,
        file=file,
        line=first.line if located else None,
        details={"issues": [issue.to_dict() for issue in issues]},
    )


def recipe_from_data(data: dict[str, Any], file: str = RECIPE_FILE) -> Recipe:
    """A validated recipe from already-parsed data (a recipe with overrides applied), or a RecipeError."""
    recipe, issues = _validated(data, dict.fromkeys(_key_paths(data), (1, 1)))
    if recipe is None:
        _raise_first(issues, file, located=False)
    return recipe


def parse_recipe(text: str, file: str = RECIPE_FILE) -> Recipe:
    """Validated recipe, or a RecipeError pointing at the first problem (all problems in details)."""
    recipe, issues = validate_text(text, file)
    if recipe is None:
        _raise_first(issues, file)
    return recipe


def find_recipe(path: Path | None = None) -> Path:
    """The recipe file: the given file, `vibeflow.yaml` in the given folder, or in the current folder."""
    candidate = Path(path) if path else Path.cwd()
    if candidate.is_dir():
        candidate = candidate / RECIPE_FILE
    if not candidate.is_file():
        raise RecipeError(
            f"no recipe at {candidate}",
            fix="run `vibeflow init` to write one, or pass the path of your vibeflow.yaml",
            file=str(candidate),
        )
    return candidate


def load_recipe(path: Path | None = None) -> tuple[Recipe, Path]:
    """Load and validate a recipe file; returns it with its resolved path (data paths are relative to it)."""
    file = find_recipe(path).resolve()
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise RecipeError(f"{file.name} is not UTF-8 text", fix="save it as UTF-8", file=str(file)) from error
    return parse_recipe(text, str(file)), file
