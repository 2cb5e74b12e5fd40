"""A recipe whose base_model is a local model folder, through a real client: sized from its config.json, so the
estimate CodeLens and the base_model hover carry numbers, and a folder that is not a model is a diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from tests.lsp.conftest import wait_for
from tests.lsp.helpers import Doc
from tests.support.model_dirs import write_model_dir

pytestmark = pytest.mark.asyncio(loop_scope="module")


def recipe(model: Path) -> str:
    return (
        f"name: local-base\nbase_model: {model}\nmethod: lora\ndata:\n  path: ../data/train.jsonl\n"
        "training:\n  max_seq_length: 128\ncompute:\n  target: local\n"
    )


async def lens_titles(lsp: LanguageClient, doc: Doc) -> list[str]:
    lenses = await lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(doc.uri))
    )
    titles = [lens.command.title for lens in lenses if lens.command]
    for lens in lenses:
        if lens.command is None:
            titles.append((await lsp.code_lens_resolve_async(lens)).command.title)
    return titles


async def test_a_local_model_folder_gets_an_estimate_and_a_hover(
    lsp: LanguageClient, workspace: Path
) -> None:
    model = write_model_dir(workspace / "models" / "smol-ft")
    path = workspace / "localmodel" / "vibeflow.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(recipe(model), encoding="utf-8")
    doc = Doc(lsp, path, language="yaml")
    await wait_for(lambda: doc.uri in lsp.diagnostics, what="diagnostics of the recipe")
    assert not [d for d in doc.diagnostics() if d.code == "base-model"], doc.diagnostics()

    titles = await lens_titles(lsp, doc)
    estimate = next(t for t in titles if "Estimate cost & time" in t)
    assert estimate.startswith("$(dashboard) Estimate cost & time: free (local) · ") and estimate.endswith(
        " on cpu"
    )
    assert any("Start training" in t for t in titles)

    hover = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), types.Position(1, 3))
    )
    text = hover.contents.value
    assert "135M parameters" in text and "30 layers, hidden 576, 9 heads (3 KV)" in text
    assert "context 8,192" in text and "134,515,008 parameters (safetensors header)" in text
    assert "*Estimate:* peak memory" in text and "on cpu" in text

    empty = workspace / "models" / "empty"
    empty.mkdir()
    doc.replace_line(1, f"base_model: {empty}")
    found = await wait_for(
        lambda: [d for d in doc.diagnostics() if d.code == "base-model"], what="base-model diagnostic"
    )
    assert found[0].range.start.line == 1 and found[0].severity == types.DiagnosticSeverity.Error
    assert "no config.json" in found[0].message and "point base_model at the folder" in found[0].message
    assert any(t.startswith("$(error) Fix 1 problem") for t in await lens_titles(lsp, doc))
    doc.close()
