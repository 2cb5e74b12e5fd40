"""Recipe text edits keep the user's layout: replace a value, uncomment a commented key, insert, append a block."""

from __future__ import annotations

from lsprotocol import types

from vibeflow.lsp.documents import LineDocument
from vibeflow.lsp.yaml_edit import set_value
from vibeflow.lsp.yaml_outline import context_at, parse

RECIPE = """\
name: demo  # a comment
training:
  # num_epochs: 3
  lora:
    r: 16
compute:
  target: local
"""


def apply(text: str, edit: types.TextEdit) -> str:
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[: edit.range.start.line]) + edit.range.start.character
    end = sum(len(line) + 1 for line in lines[: edit.range.end.line]) + edit.range.end.character
    return text[:start] + edit.new_text + text[end:]


def set_in(text: str, path: tuple[str, ...], value: str) -> str:
    doc = LineDocument.from_text("file:///vibeflow.yaml", 1, "yaml", text)
    return apply(text, set_value(doc, parse(doc.lines), path, value))


def test_replace_keeps_trailing_comment() -> None:
    assert set_in(RECIPE, ("name",), "other").splitlines()[0] == "name: other  # a comment"


def test_commented_key_is_uncommented_in_place() -> None:
    lines = set_in(RECIPE, ("training", "num_epochs"), "2").splitlines()
    assert lines[2] == "  num_epochs: 2" and lines.count("  num_epochs: 2") == 1


def test_missing_key_goes_under_its_block_and_missing_block_at_the_end() -> None:
    assert set_in(RECIPE, ("training", "batch_size"), "4").splitlines()[2] == "  batch_size: 4"
    assert set_in(RECIPE, ("training", "lora", "alpha"), "32").splitlines()[4] == "    alpha: 32"
    tail = set_in(RECIPE, ("budget", "max_cost_usd"), "20").splitlines()[-3:]
    assert tail == ["", "budget:", "  max_cost_usd: 20"]


def test_outline_tolerates_half_typed_yaml() -> None:
    lines = ["name: x", "training:", "  lora:", "    r: ", "  batch", "comp"]
    outline = parse(lines)
    assert outline.entry(("training", "lora", "r")) is not None
    assert context_at(outline, lines, 3, 7).path == ("training", "lora", "r")
    assert context_at(outline, lines, 4, 7).kind == "new-key" and context_at(outline, lines, 4, 7).path == (
        "training",
    )
    assert context_at(outline, lines, 5, 4).path == ()
