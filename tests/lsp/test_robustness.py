"""Malformed documents and protocol misuse are logged to the client, never crash the server or pop up errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from tests.lsp.conftest import wait_for
from tests.lsp.helpers import Doc, codes

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_garbage_dataset_gets_diagnostics(lsp: LanguageClient, workspace: Path) -> None:
    text = "\x00\x01\x02 not json\n" + "{" * 5000 + "\n" + '{"a": "\udcff"}\n' + "x" * 200_000 + "\n\n]"
    doc = Doc(lsp, workspace / "garbage.jsonl", text)
    await wait_for(lambda: doc.uri in lsp.diagnostics, what="diagnostics for garbage")
    assert {(0, "invalid-json"), (1, "invalid-json"), (3, "invalid-json"), (5, "invalid-json")} <= codes(
        doc.diagnostics()
    )
    doc.close()


async def test_broken_yaml_and_requests_on_it(lsp: LanguageClient, workspace: Path) -> None:
    text = 'name: "unclosed\n\tmethod: lora\ntraining:\n  - [\n'
    doc = Doc(lsp, workspace / "broken/vibeflow.yaml", text, language="yaml")
    await wait_for(lambda: doc.uri in lsp.diagnostics, what="diagnostics for broken YAML")
    assert any("invalid YAML" in d.message for d in doc.diagnostics())
    ident = types.TextDocumentIdentifier(doc.uri)
    for line in range(5):
        for character in (0, 3, 40):
            await lsp.text_document_hover_async(types.HoverParams(ident, types.Position(line, character)))
            await lsp.text_document_completion_async(
                types.CompletionParams(ident, types.Position(line, character))
            )
    lenses = await lsp.text_document_code_lens_async(types.CodeLensParams(ident))
    assert any(lens.command and lens.command.title.startswith("$(error)") for lens in lenses or [])
    doc.close()


async def test_out_of_range_and_unknown_documents(lsp: LanguageClient, workspace: Path) -> None:
    doc = Doc(lsp, workspace / "small.jsonl", '{"q": "a", "a": "b"}\n')
    await wait_for(lambda: doc.uri in lsp.diagnostics, what="first diagnostics")
    far = types.Range(types.Position(10_000, 5), types.Position(10_001, 0))
    doc.edit([types.TextEdit(far, '\n{"broken": ')])  # past the end: appended like VS Code clamps it
    await wait_for(
        lambda: any(d.code == "invalid-json" for d in doc.diagnostics()), what="appended line checked"
    )
    ghost = "file:///nowhere/never-opened.jsonl"
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=3, uri=ghost),
            [types.TextDocumentContentChangeWholeDocument(text="{}")],
        )
    )
    await wait_for(lambda: any("never-opened" in m.message for m in lsp.log_messages), what="logged error")
    actions = await lsp.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(ghost), far, types.CodeActionContext(diagnostics=[])
        )
    )
    assert not actions
    assert not [m for m in lsp.messages if m.type == types.MessageType.Error], "no error pop-ups"
    doc.close()


async def test_server_still_answers_afterwards(lsp: LanguageClient, workspace: Path) -> None:
    doc = Doc(lsp, workspace / "vibeflow.yaml", language="yaml")
    hover = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), types.Position(2, 2))
    )
    assert hover is not None and "base_model" in hover.contents.value
    doc.close()
