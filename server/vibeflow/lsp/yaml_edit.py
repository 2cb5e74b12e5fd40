"""Turns "set key path to value" into minimal text edits of the recipe, keeping the user's comments and layout.

An existing key gets its value replaced; a commented-out key (`# num_epochs: 3` in the starter recipe) is
uncommented in place; otherwise the key is inserted under its block, creating missing blocks at the end.
"""

from __future__ import annotations

from lsprotocol import types

from vibeflow.lsp.documents import LineDocument
from vibeflow.lsp.yaml_outline import Outline

Path = tuple[str, ...]
INDENT = 2


def _pos(doc: LineDocument, line: int, index: int) -> types.Position:
    return types.Position(line=line, character=doc.column(line, index))


def replace_span(doc: LineDocument, line: int, start: int, end: int, text: str) -> types.TextEdit:
    stop = len(doc.line(line)) if end < 0 else end
    return types.TextEdit(types.Range(_pos(doc, line, start), _pos(doc, line, stop)), text)


def _child_indent(outline: Outline, parent: Path) -> int:
    children = outline.children(parent)
    if children:
        return children[0].indent
    entry = outline.entry(parent)
    return entry.indent + INDENT if entry else 0


def set_value(doc: LineDocument, outline: Outline, path: Path, value: str) -> types.TextEdit:
    """One edit that makes `path: value` true in the document."""
    entry = outline.entry(path)
    if entry is not None:
        line = doc.line(entry.line)
        if entry.value_start == entry.value_end:  # `key:` with no value (or only a comment)
            colon = line.index(":", entry.key_end) + 1
            gap = "  " if entry.value_start < len(line) else ""
            return replace_span(doc, entry.line, colon, entry.value_start, f" {value}{gap}")
        return replace_span(doc, entry.line, entry.value_start, entry.value_end, value)
    ghost = outline.ghosts.get(path)
    if ghost is not None and (len(path) == 1 or outline.entry(path[:-1]) is not None):
        indent = " " * _child_indent(outline, path[:-1]) if len(path) > 1 else ""
        line = doc.line(ghost.line)
        tail = line[ghost.value_end :].rstrip()
        comment = f"  {tail.strip()}" if tail.strip().startswith("#") else ""
        return replace_span(doc, ghost.line, 0, -1, f"{indent}{path[-1]}: {value}{comment}")
    # Find the deepest existing ancestor block and insert the missing levels under it.
    depth = len(path) - 1
    while depth > 0 and outline.entry(path[:depth]) is None:
        depth -= 1
    if depth == 0:
        return _append(doc, _nested(path, value, 0))
    parent = outline.entry(path[:depth])
    assert parent is not None
    indent = _child_indent(outline, path[:depth])
    text = _nested(path[depth:], value, indent)
    return types.TextEdit(types.Range(_pos(doc, parent.line + 1, 0), _pos(doc, parent.line + 1, 0)), text)


def _nested(path: Path, value: str, indent: int) -> str:
    lines = [f"{' ' * (indent + INDENT * i)}{key}:" for i, key in enumerate(path[:-1])]
    lines.append(f"{' ' * (indent + INDENT * (len(path) - 1))}{path[-1]}: {value}")
    return "\n".join(lines) + "\n"


def _append(doc: LineDocument, block: str) -> types.TextEdit:
    """Insert `block` (ending with a newline) at the end of the document, after a blank line."""
    last = len(doc.lines) - 1
    if last >= 0 and doc.lines[last] == "":
        separator = "\n" if last > 0 and doc.lines[last - 1].strip() else ""
        return types.TextEdit(types.Range(_pos(doc, last, 0), _pos(doc, last, 0)), separator + block)
    column = len(doc.line(last)) if last >= 0 else 0
    return types.TextEdit(
        types.Range(_pos(doc, max(last, 0), column), _pos(doc, max(last, 0), column)), "\n\n" + block
    )
