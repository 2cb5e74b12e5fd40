"""A forgiving line-by-line outline of a YAML mapping: key paths with the exact columns of keys and values.

It works on half-typed, invalid YAML (where a real parser gives up), which is exactly what the editor shows
while the user types; commented-out keys (`# learning_rate: 2e-4`, as in our starter recipe) are kept as
ghost entries so hovers work on them and quick fixes can uncomment them instead of adding a duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Path = tuple[str, ...]

_KEY = re.compile(
    r"(?P<indent>[ ]*)(?P<dash>-[ ]+)?(?P<key>[A-Za-z_][\w.-]*|\"[^\"]*\"|'[^']*')[ ]*:(?=[ \t]|$)"
)
_ITEM = re.compile(r"(?P<indent>[ ]*)-(?:[ ]+|$)")


def comment_start(line: str, begin: int = 0) -> int:
    """Index of the `#` starting a comment (outside quotes) at or after `begin`, or len(line)."""
    quote = ""
    for index in range(begin, len(line)):
        char = line[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and (index == 0 or line[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == begin or line[index - 1] in " \t"):
            return index
    return len(line)


@dataclass
class Entry:
    """One `key: value` line; columns are Python indices into the line."""

    path: Path
    line: int
    indent: int
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    value: str
    commented: bool = False

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def is_block(self) -> bool:
        return not self.value


@dataclass
class Item:
    """One `- value` list item belonging to the list at `path`."""

    path: Path
    line: int
    indent: int
    value_start: int
    value_end: int
    value: str


@dataclass
class Outline:
    entries: list[Entry] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    by_path: dict[Path, Entry] = field(default_factory=dict)
    by_line: dict[int, Entry] = field(default_factory=dict)
    items_by_line: dict[int, Item] = field(default_factory=dict)
    ghosts: dict[Path, Entry] = field(default_factory=dict)

    def entry(self, path: Path) -> Entry | None:
        return self.by_path.get(path)

    def children(self, path: Path) -> list[Entry]:
        return [e for e in self.entries if e.path[:-1] == path]


def _unquote(key: str) -> str:
    return key[1:-1] if key[:1] in "\"'" and key[-1:] == key[:1] else key


def _value_span(line: str, start: int) -> tuple[int, int]:
    end = comment_start(line, start)
    while start < end and line[start] in " \t":
        start += 1
    stop = end
    while stop > start and line[stop - 1] in " \t":
        stop -= 1
    return start, stop


def parse(lines: list[str]) -> Outline:
    outline = Outline()
    stack: list[tuple[int, Path]] = []  # (indent, path) of open mappings
    ghost_stack: list[tuple[int, Path]] = []
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("---"):
            continue
        if stripped.startswith("#"):
            _ghost(outline, ghost_stack or stack, number, line)
            continue
        match = _KEY.match(line)
        indent = len(line) - len(stripped)
        if match is None:
            item = _ITEM.match(line)
            if item is not None:
                while stack and stack[-1][0] > indent:
                    stack.pop()
                owner = stack[-1][1] if stack else ()
                start, stop = _value_span(line, item.end())
                new = Item(owner, number, indent, start, stop, line[start:stop])
                outline.items.append(new)
                outline.items_by_line[number] = new
            continue
        if match.group("dash"):
            indent = match.start("key")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key = _unquote(match.group("key"))
        path = (*(stack[-1][1] if stack else ()), key)
        start, stop = _value_span(line, match.end())
        entry = Entry(
            path, number, indent, match.start("key"), match.end("key"), start, stop, line[start:stop]
        )
        outline.entries.append(entry)
        outline.by_path.setdefault(path, entry)
        outline.by_line[number] = entry
        stack.append((indent, path))
        ghost_stack = list(stack)
    return outline


def _ghost(outline: Outline, stack: list[tuple[int, Path]], number: int, line: str) -> None:
    """Record `# key: value` comment lines as ghost entries (indent = position of the key)."""
    hash_at = line.index("#")
    body = line[hash_at + 1 :]
    spaces = len(body) - len(body.lstrip(" "))
    match = _KEY.match(" " * (hash_at + 1 + spaces) + body.lstrip(" "))
    if match is None or match.group("dash"):
        return
    indent = hash_at + max(0, spaces - 1)
    local = [frame for frame in stack if frame[0] < indent]
    key = _unquote(match.group("key"))
    path = (*(local[-1][1] if local else ()), key)
    start, stop = _value_span(line, match.end())
    entry = Entry(
        path, number, indent, match.start("key"), match.end("key"), start, stop, line[start:stop], True
    )
    outline.ghosts.setdefault(path, entry)
    outline.by_line.setdefault(number, entry)
    stack.append((indent, path))


@dataclass
class Context:
    """Where the cursor is: on a key, on a value (of `path`), or on an empty spot inside mapping `path`."""

    kind: str  # "key" | "value" | "item" | "new-key"
    path: Path
    prefix: str = ""
    entry: Entry | None = None
    word: str = ""  # the whole scalar under the cursor (for hovers on a value or list item)


def word_at(text: str, index: int) -> str:
    """The scalar around `index` (letters, digits, _ . - / and scientific-notation signs)."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/+@")
    start = end = min(index, len(text))
    while start > 0 and text[start - 1] in allowed:
        start -= 1
    while end < len(text) and text[end] in allowed:
        end += 1
    return text[start:end]


def context_at(outline: Outline, lines: list[str], line: int, character: int) -> Context | None:
    """What the cursor at (line, character) — a Python index — points at."""
    text = lines[line] if 0 <= line < len(lines) else ""
    entry = outline.by_line.get(line)
    if entry is not None:
        if character <= entry.key_end + 1 and character >= entry.key_start - (1 if entry.commented else 0):
            return Context("key", entry.path, text[entry.key_start : character], entry)
        if character > entry.key_end:
            flow = text[entry.value_start : character]
            if flow.startswith("["):
                return Context(
                    "item", entry.path, re.split(r"[\[, ]", flow)[-1], entry, word_at(text, character)
                )
            return Context("value", entry.path, flow.strip(), entry, entry.value.strip("\"' "))
    item = outline.items_by_line.get(line)
    if item is not None:
        return Context("item", item.path, text[item.value_start : character].strip(), None, item.value)
    head = text[:character]
    if head.strip() and not re.fullmatch(r"[ ]*[\w.-]*", head):
        if re.fullmatch(r"[ ]*-[ ]*[\w.-]*", head):
            indent = len(head) - len(head.lstrip(" "))
            owner = _owner(outline, line, indent + 1)
            return Context("item", owner, head.strip(" -"))
        return None
    indent = len(head) - len(head.lstrip(" "))
    return Context("new-key", _owner(outline, line, indent), head.strip())


def _owner(outline: Outline, line: int, indent: int) -> Path:
    """The mapping a new key at `indent` on `line` would belong to."""
    best: Path = ()
    for entry in outline.entries:
        if entry.line >= line:
            break
        if entry.indent < indent and entry.is_block:
            best = entry.path
        elif entry.indent < indent or entry.indent == indent:
            best = entry.path[:-1]
    return best
