"""Test data and client-side helpers: open/edit documents, read diagnostics, apply WorkspaceEdits like VS Code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient


def row(instruction: str, response: str, **extra: Any) -> str:
    return json.dumps({"instruction": instruction, "response": response, **extra})


LONG = " ".join(["word"] * 400)

TRAIN_LINES = [
    row("How do I reset my password?", "Open Settings, then Security, then Reset password."),  # 1
    row("Where is my invoice?", "Invoices are under Billing > History."),  # 2
    '{"instruction": "broken line", "response": ',  # 3 invalid JSON
    row("Cancel my plan", ""),  # 4 empty response
    row("How do I reset my password?", "Open Settings, then Security, then Reset password."),  # 5 dup of 1
    row("Contact me", "Write to jane.doe@example.com for a refund."),  # 6 PII
    row("Summarise this", LONG),  # 7 too long for max_seq_length 128
    '{"instruction": "no answer at all"}',  # 8 missing field
    *[row(f"Question number {i}", f"Answer number {i} with some detail.") for i in range(9, 31)],
]

RECIPE = """\
# yaml-language-server: $schema=https://vibeflow.dev/schemas/vibeflow.schema.json
name: support-bot
base_model: vibeflow-demo-tiny
method: lora
preset: balanced

data:
  path: data/train.jsonl
  test_split: 0.2

training:
  # num_epochs: 3
  max_seq_length: 128
  lora:
    r: 16

compute:
  target: local
"""

SEMANTIC_RECIPE = """\
name: risky
method: qlora
preset: balanced
data:
  path: ../data/train.jsonl
training:
  learning_rate: 0.05
  num_epochs: 12
  lora:
    r: 512
"""

SCHEMA_RECIPE = """\
name: typos
method: lorra
preset: balanced
data:
  path: ../data/missing.jsonl
training:
  learnin_rate: 0.0002
  batch_size: many
  warmup_ratio: 2
"""

CSV = "question,answer\nHow do I pay?,By card.\nWhere is it?,\nHow do I pay?,By card.\nq4,a4\nq5,a5\nq6,a6\n"
JSON_ARRAY = json.dumps(
    [
        {"prompt": "a", "completion": "b"},
        {"prompt": "c", "completion": "d"},
        {"prompt": "a", "completion": "b"},
    ],
    indent=2,
)

WORKSPACE_FILES = {
    "vibeflow.yaml": RECIPE,
    "data/train.jsonl": "\n".join(TRAIN_LINES) + "\n",
    "data/big.jsonl": "\n".join(row(f"q{i}", f"a{i}") for i in range(400)) + "\n",
    "semantic/vibeflow.yaml": SEMANTIC_RECIPE,
    "schema/vibeflow.yaml": SCHEMA_RECIPE,
    "tables/vibeflow.yaml": "name: tables\ndata:\n  path: train.csv\n",
    "tables/train.csv": CSV,
    "arrays/vibeflow.yaml": "name: arrays\ndata:\n  path: train.json\n",
    "arrays/train.json": JSON_ARRAY,
}


class Doc:
    """A document as the editor holds it: text, version, and the client that mirrors it to the server."""

    def __init__(
        self, client: LanguageClient, path: Path, text: str | None = None, language: str = "plaintext"
    ):
        self.client = client
        self.uri = path.as_uri()
        self.text = path.read_text(encoding="utf-8") if text is None else text
        self.version = 1
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=self.uri, language_id=language, version=self.version, text=self.text
                )
            )
        )

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def diagnostics(self) -> list[types.Diagnostic]:
        return list(self.client.diagnostics.get(self.uri, []))

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(self.uri))
        )

    def offset(self, position: types.Position) -> int:
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    def edit(self, edits: list[types.TextEdit]) -> None:
        """Apply edits locally and send them as incremental changes (last first, like VS Code)."""
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
        changes = []
        for edit in ordered:
            start, end = self.offset(edit.range.start), self.offset(edit.range.end)
            self.text = self.text[:start] + edit.new_text + self.text[end:]
            changes.append(types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text))
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=self.version, uri=self.uri), changes
            )
        )

    def replace_line(self, line: int, text: str) -> None:
        old = self.lines[line]
        rng = types.Range(types.Position(line, 0), types.Position(line, len(old)))
        self.edit([types.TextEdit(rng, text)])

    def apply_workspace_edit(self, edit: types.WorkspaceEdit) -> None:
        edits: list[types.TextEdit] = []
        for change in edit.document_changes or []:
            assert isinstance(change, types.TextDocumentEdit)
            assert change.text_document.uri == self.uri
            edits += [e for e in change.edits if isinstance(e, types.TextEdit)]
        for uri, more in (edit.changes or {}).items():
            assert uri == self.uri
            edits += more
        self.edit(edits)


def codes(diagnostics: list[types.Diagnostic]) -> set[tuple[int, str]]:
    return {(d.range.start.line, str(d.code)) for d in diagnostics}


MEMORY_RECIPE = """\
name: too-big
base_model: Qwen/Qwen2.5-3B-Instruct
method: lora
data:
  path: ../data/train.jsonl
training:
  batch_size: 64
  max_seq_length: 2048
compute:
  target: cloud
  gpu: L4
"""
WORKSPACE_FILES["memory/vibeflow.yaml"] = MEMORY_RECIPE
