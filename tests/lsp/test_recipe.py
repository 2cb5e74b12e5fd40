"""vibeflow.yaml through a real client: schema + semantic diagnostics, hovers, completions, CodeLens, quick fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from tests.lsp.conftest import wait_for
from tests.lsp.helpers import Doc, codes

pytestmark = pytest.mark.asyncio(loop_scope="module")


def position_of(doc: Doc, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(doc.lines):
        if needle in line:
            return types.Position(number, line.index(needle) + offset)
    raise AssertionError(f"{needle!r} not in document")


async def checked(lsp: LanguageClient, path: Path, text: str | None = None) -> Doc:
    doc = Doc(lsp, path, text, language="yaml")
    await wait_for(lambda: doc.uri in lsp.diagnostics, what=f"diagnostics of {path}")
    return doc


async def fixes_at(lsp: LanguageClient, doc: Doc, line: int) -> list[types.CodeAction]:
    params = types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(doc.uri),
        range=types.Range(types.Position(line, 0), types.Position(line, 0)),
        context=types.CodeActionContext(
            diagnostics=[d for d in doc.diagnostics() if d.range.start.line == line]
        ),
    )
    return [
        a for a in await lsp.text_document_code_action_async(params) or [] if isinstance(a, types.CodeAction)
    ]


async def test_schema_problems_are_located_with_fixes(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "schema/vibeflow.yaml")
    by_line = {d.range.start.line: d for d in doc.diagnostics()}
    assert "lorra" in doc.lines[by_line[1].range.start.line][by_line[1].range.start.character :]
    assert "did you mean 'learning_rate'" in by_line[6].message
    assert by_line[6].range.start.character == 2 and by_line[6].range.end.character == len("  learnin_rate")
    assert "batch_size" in by_line[7].message and "warmup_ratio" in by_line[8].message
    assert "not found: ../data/missing.jsonl" in by_line[4].message

    rename = next(
        a for a in await fixes_at(lsp, doc, 6) if a.title == "Rename 'learnin_rate' to 'learning_rate'"
    )
    doc.apply_workspace_edit(rename.edit)
    enum = next(a for a in await fixes_at(lsp, doc, 1) if a.title == "Change to 'lora'")
    doc.apply_workspace_edit(enum.edit)
    await wait_for(
        lambda: {d.range.start.line for d in doc.diagnostics()} == {4, 7, 8}, what="method + key fixed"
    )
    assert doc.lines[1] == "method: lora" and doc.lines[6] == "  learning_rate: 0.0002"
    assert "less than 1" in next(d for d in doc.diagnostics() if d.range.start.line == 8).message
    doc.close()


async def test_semantic_checks_and_their_fixes(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "semantic/vibeflow.yaml")
    found = codes(doc.diagnostics())
    assert {
        (1, "qlora-no-cuda"),
        (6, "learning-rate"),
        (7, "epochs"),
        (9, "rank-high"),
        (4, "small-dataset"),
    } <= found
    lr = next(d for d in doc.diagnostics() if d.code == "learning-rate")
    assert "far above" in lr.message and lr.severity == types.DiagnosticSeverity.Warning

    to_lora = next(a for a in await fixes_at(lsp, doc, 1) if a.title.startswith("Switch to LoRA"))
    doc.apply_workspace_edit(to_lora.edit)
    set_lr = next(a for a in await fixes_at(lsp, doc, 6) if a.title.startswith("Set learning_rate to"))
    doc.apply_workspace_edit(set_lr.edit)
    set_epochs = next(a for a in await fixes_at(lsp, doc, 7) if a.title.startswith("Set num_epochs to"))
    doc.apply_workspace_edit(set_epochs.edit)
    set_rank = next(a for a in await fixes_at(lsp, doc, 9) if a.title.startswith("Set lora.r to 16"))
    doc.apply_workspace_edit(set_rank.edit)
    await wait_for(
        lambda: codes(doc.diagnostics()) == {(4, "small-dataset")}, what="only the data-size note left"
    )
    assert doc.lines[1] == "method: lora" and doc.lines[9] == "    r: 16"
    # the default base (SmolLM2-135M) is under 0.5B parameters: LoRA takes the measured larger step
    assert doc.lines[6] == "  learning_rate: 0.001", "the small-model LoRA rate (rules.SMALL_MODEL_LORA_LR)"
    assert doc.lines[7] == "  num_epochs: 8", "the product table: <1K examples, accuracy priority"
    doc.close()


async def test_hover_explains_keys_choices_and_commented_keys(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "vibeflow.yaml")
    key = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), position_of(doc, "max_seq_length", 3))
    )
    assert (
        key and "**`training.max_seq_length`**" in key.contents.value and "*Typical:*" in key.contents.value
    )
    ghost = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), position_of(doc, "num_epochs", 2))
    )
    assert ghost and "*Now:* `3` (from preset `balanced`" in ghost.contents.value
    assert "*We recommend:*" in ghost.contents.value
    choice = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), position_of(doc, "method: lora", 9))
    )
    assert choice and "small adapter" in choice.contents.value
    block = await lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(doc.uri), position_of(doc, "compute:", 1))
    )
    assert block and "`target`" in block.contents.value
    doc.close()


async def test_completion_of_keys_values_and_files(lsp: LanguageClient, workspace: Path) -> None:
    text = "name: demo\nmethod: \ndata:\n  path: \n  fixes: [dedup_exact, ]\n\n"
    doc = await checked(lsp, workspace / "completion/vibeflow.yaml", text)

    async def labels(line: int, character: int) -> set[str]:
        result = await lsp.text_document_completion_async(
            types.CompletionParams(types.TextDocumentIdentifier(doc.uri), types.Position(line, character))
        )
        items = result.items if isinstance(result, types.CompletionList) else result or []
        return {item.label for item in items}

    root = await labels(5, 0)
    assert {"base_model", "preset", "training", "compute", "budget"} <= root and "name" not in root
    assert await labels(1, 8) >= {"lora", "qlora", "full"}
    assert {"drop_missing", "dedup_near"} <= await labels(4, 23)
    assert await labels(3, 8) >= {"../data/train.jsonl"} or await labels(3, 8) == set()
    data_keys = await labels(4, 2)
    assert "test_split" in data_keys and "path" not in data_keys
    doc.close()


async def test_code_lenses_and_explanation(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "vibeflow.yaml")
    lenses = await lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(doc.uri))
    )
    commands = {lens.command.command: lens for lens in lenses if lens.command}
    assert set(commands) == {
        "vibeflow.startTraining",
        "vibeflow.explainSettings",
        "vibeflow.openQualityReport",
    }
    report = commands["vibeflow.openQualityReport"]
    assert report.range.start.line == position_of(doc, "path:").line
    assert report.command.arguments[0]["dataPath"] == str((workspace / "data/train.jsonl").resolve())
    assert commands["vibeflow.startTraining"].command.arguments[0]["recipeUri"] == doc.uri
    unresolved = next(lens for lens in lenses if lens.command is None)
    resolved = await lsp.code_lens_resolve_async(unresolved)
    assert (
        resolved.command.command == "vibeflow.estimate" and "Estimate cost & time" in resolved.command.title
    )

    explained = await lsp.protocol.send_request_async("vibeflow/explainRecipe", {"uri": doc.uri})
    assert (
        explained.valid and explained.method == "lora" and explained.datasetRows == 29
    )  # 30 lines, 1 not JSON
    assert {a.field for a in explained.advice} >= {"training.learning_rate", "training.lora.r"}
    doc.close()


async def test_invalid_recipe_blocks_training_lens(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "schema/vibeflow.yaml")
    lenses = await lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(doc.uri))
    )
    titles = [lens.command.title for lens in lenses if lens.command]
    assert any(title.startswith("$(error) Fix") for title in titles)
    assert not any("Start training" in title for title in titles)
    doc.close()


async def test_batch_that_does_not_fit_the_gpu(lsp: LanguageClient, workspace: Path) -> None:
    doc = await checked(lsp, workspace / "memory/vibeflow.yaml")
    memory = await wait_for(
        lambda: [d for d in doc.diagnostics() if d.code == "memory"], what="memory diagnostic"
    )
    assert (
        memory[0].range.start.line == 6 and "will not fit" in memory[0].message and "L4" in memory[0].message
    )
    titles = [a.title for a in await fixes_at(lsp, doc, 6)]
    assert any(t.startswith("Use a ") for t in titles)
    reduce = next(a for a in await fixes_at(lsp, doc, 6) if a.title.startswith("Reduce batch_size to"))
    doc.apply_workspace_edit(reduce.edit)
    await wait_for(lambda: not any(d.code == "memory" for d in doc.diagnostics()), what="batch now fits")
    assert "  batch_size: 16" in doc.lines and "  gradient_accumulation: 8" in doc.lines, (
        "effective batch kept at 128"
    )
    doc.close()
