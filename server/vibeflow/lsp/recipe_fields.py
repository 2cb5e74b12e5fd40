"""Reads field facts (type, choices, bounds, default, description) from the recipe's pydantic model by key path.

The model is the single source of truth: hovers, completions and quick fixes all come from here, so a new
recipe field is documented in the editor the moment it is added to `vibeflow.recipe.model`.
"""

from __future__ import annotations

import functools
import types as pytypes
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

Path = tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    """What one recipe key accepts."""

    path: Path
    kind: str  # block | enum | number | integer | boolean | string | list
    description: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True
    default: Any = None
    required: bool = False
    examples: tuple[Any, ...] = ()
    item_choices: tuple[str, ...] = ()

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def type_label(self) -> str:
        if self.kind == "enum":
            return " | ".join(self.choices)
        if self.kind == "list" and self.item_choices:
            return f"list of: {', '.join(self.item_choices)}"
        return self.kind

    def bounds_label(self) -> str:
        parts = []
        if self.low is not None:
            parts.append(f"{'≥' if self.low_inclusive else '>'} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'≤' if self.high_inclusive else '<'} {self.high:g}")
        return ", ".join(parts)


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin in (Union, pytypes.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _literal_values(annotation: Any) -> tuple[str, ...]:
    values: list[str] = []
    for member in _members(annotation):
        if typing.get_origin(member) is Literal:
            values += [str(v) for v in typing.get_args(member)]
    return tuple(values)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    members = [m for m in _members(annotation) if m is not type(None)]
    if _model_of(annotation):
        return "block", ()
    if choices := _literal_values(annotation):
        return "enum", choices
    origins = {typing.get_origin(m) or m for m in members}
    if list in origins and str in origins:
        return "string or list", ()
    if list in origins:
        items = next((typing.get_args(m)[0] for m in members if typing.get_origin(m) is list), str)
        return "list", _literal_values(items)
    if bool in origins:
        return "boolean", ()
    if float in origins:
        return "number", ()
    if int in origins:
        return "integer", ()
    return "string", ()


def _spec(path: Path, info: FieldInfo) -> FieldSpec:
    kind, choices = _kind(info.annotation)
    low = high = None
    low_inc = high_inc = True
    for meta in info.metadata:
        for attr, is_low, inclusive in (
            ("ge", True, True),
            ("gt", True, False),
            ("le", False, True),
            ("lt", False, False),
        ):
            value = getattr(meta, attr, None)
            if value is not None:
                if is_low:
                    low, low_inc = float(value), inclusive
                else:
                    high, high_inc = float(value), inclusive
    default = None if info.is_required() or kind == "block" else info.get_default(call_default_factory=True)
    item_choices = choices if kind == "list" else ()
    return FieldSpec(
        path,
        kind,
        info.description or "",
        choices if kind == "enum" else (),
        low,
        low_inc,
        high,
        high_inc,
        default,
        info.is_required(),
        tuple(info.examples or ()),
        item_choices,
    )


def _root() -> type[BaseModel]:
    from vibeflow.recipe.model import Recipe

    return Recipe


def model_at(path: Path) -> type[BaseModel] | None:
    model: type[BaseModel] | None = _root()
    for part in path:
        if model is None:
            return None
        info = model.model_fields.get(part)
        model = _model_of(info.annotation) if info else None
    return model


@functools.cache
def spec(path: Path) -> FieldSpec | None:
    """The spec of the key at `path` (e.g. ("training", "lora", "r")), or None when no such key exists."""
    if not path:
        return None
    owner = model_at(path[:-1])
    info = owner.model_fields.get(path[-1]) if owner else None
    return _spec(path, info) if info else None


@functools.cache
def children(path: Path) -> tuple[FieldSpec, ...]:
    """Specs of every key allowed inside the mapping at `path` (the root is ())."""
    owner = model_at(path)
    if owner is None:
        return ()
    return tuple(_spec((*path, name), info) for name, info in owner.model_fields.items())


def block_description(path: Path) -> str:
    model = model_at(path)
    return (model.__doc__ or "").strip() if model else ""
