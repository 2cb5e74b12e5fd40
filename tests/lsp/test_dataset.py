"""Dataset files through a real client: line-exact diagnostics, incremental edits, quick fixes, progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient
from tests.lsp.conftest import wait_for
from tests.lsp.helpers import Doc, codes

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def open_checked(lsp: LanguageClient, path: Path, expect: tuple[int, str]) -> Doc:
    doc = Doc(lsp, path)
    await wait_for(lambda: expect in codes(doc.diagnostics()), what=f"{expect} on {path.name}")
    return doc


async def actions_at(lsp: LanguageClient, doc: Doc, line: int) -> list[types.CodeAction]:
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


async def test_jsonl_issues_land_on_their_lines(lsp: LanguageClient, workspace: Path) -> None:
    doc = await open_checked(lsp, workspace / "data/train.jsonl", (6, "too-long"))
    found = codes(doc.diagnostics())
    assert {
        (2, "invalid-json"),
        (3, "missing-field"),
        (4, "duplicate"),
        (5, "pii"),
        (6, "too-long"),
        (7, "missing-field"),
    } <= found
    assert not {c for c in found if c[0] in (0, 1, 8)}, "clean lines must stay clean"
    dup = next(d for d in doc.diagnostics() if d.code == "duplicate")
    assert "line 1" in dup.message
    pii = next(d for d in doc.diagnostics() if d.code == "pii")
    assert doc.lines[5][pii.range.start.character : pii.range.end.character] == "jane.doe@example.com"
    missing = next(d for d in doc.diagnostics() if d.range.start.line == 7)
    assert "response" in missing.message
    doc.close()


async def test_edits_update_only_what_changed(lsp: LanguageClient, workspace: Path) -> None:
    doc = await open_checked(lsp, workspace / "data/train.jsonl", (2, "invalid-json"))
    doc.replace_line(2, '{"instruction": "fixed", "response": "now valid"}')
    await wait_for(lambda: (2, "invalid-json") not in codes(doc.diagnostics()), what="fixed line to clear")
    # Insert two lines at the top: every issue moves down by two, the duplicate now points at line 3.
    top = types.Range(types.Position(0, 0), types.Position(0, 0))
    doc.edit(
        [
            types.TextEdit(
                top, '{"instruction": "x", "response": "y"}\n{"instruction": "x", "response": "y"}\n'
            )
        ]
    )
    await wait_for(lambda: (1, "duplicate") in codes(doc.diagnostics()), what="new duplicate on line 2")
    found = codes(doc.diagnostics())
    assert {(6, "duplicate"), (7, "pii"), (9, "missing-field")} <= found
    assert next(
        d for d in doc.diagnostics() if d.range.start.line == 6 and d.code == "duplicate"
    ).message.startswith("exact duplicate of line 3")
    doc.close()


async def test_quick_fixes_delete_and_redact(lsp: LanguageClient, workspace: Path) -> None:
    doc = await open_checked(lsp, workspace / "data/train.jsonl", (5, "pii"))
    redact = next(a for a in await actions_at(lsp, doc, 5) if a.title.startswith("Redact email"))
    doc.apply_workspace_edit(redact.edit)
    await wait_for(lambda: (5, "pii") not in codes(doc.diagnostics()), what="PII gone after redaction")
    assert "[EMAIL]" in doc.lines[5]

    delete = next(a for a in await actions_at(lsp, doc, 2) if a.title == "Delete line 3")
    before = len(doc.lines)
    doc.apply_workspace_edit(delete.edit)
    assert len(doc.lines) == before - 1
    await wait_for(lambda: (3, "duplicate") in codes(doc.diagnostics()), what="duplicate moved up a line")
    assert not any(d.code == "invalid-json" for d in doc.diagnostics())
    doc.close()


async def test_delete_all_duplicates_is_resolved_lazily(lsp: LanguageClient, workspace: Path) -> None:
    doc = await open_checked(lsp, workspace / "data/train.jsonl", (4, "duplicate"))
    bulk = next(a for a in await actions_at(lsp, doc, 4) if a.title.startswith("Delete all"))
    assert bulk.edit is None and bulk.data, "VS Code supports resolve, so the edit is computed on demand"
    resolved = await lsp.code_action_resolve_async(bulk)
    doc.apply_workspace_edit(resolved.edit)
    await wait_for(
        lambda: not any(d.code == "duplicate" for d in doc.diagnostics()), what="no duplicates left"
    )
    assert doc.text.count("How do I reset my password?") == 1
    doc.close()


async def test_large_file_reports_progress(lsp: LanguageClient, workspace: Path) -> None:
    before = set(lsp.progress_reports)
    doc = Doc(lsp, workspace / "data/big.jsonl")

    def ended() -> bool:
        new = [lsp.progress_reports[t] for t in set(lsp.progress_reports) - before]
        return any(r and isinstance(r[-1], types.WorkDoneProgressEnd) for r in new)

    await wait_for(ended, what="work done progress to end")
    token = next(t for t in set(lsp.progress_reports) - before if lsp.progress_reports[t])
    kinds = [type(r).__name__ for r in lsp.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "checking big.jsonl" in lsp.progress_reports[token][0].title
    assert any(s["state"] == "busy" for s in lsp.custom["vibeflow/status"])
    await wait_for(lambda: lsp.custom["vibeflow/status"][-1]["state"] != "busy", what="status back from busy")
    assert doc.uri in lsp.diagnostics and not list(lsp.diagnostics[doc.uri]), (
        "a clean file publishes an empty list"
    )
    doc.close()


async def test_csv_referenced_by_recipe(lsp: LanguageClient, workspace: Path) -> None:
    recipe = Doc(lsp, workspace / "tables/vibeflow.yaml")
    await wait_for(
        lambda: doc_uri(workspace / "tables/vibeflow.yaml") in lsp.diagnostics, what="recipe checked"
    )
    data = await open_checked(lsp, workspace / "tables/train.csv", (3, "duplicate"))
    assert (2, "missing-field") in codes(data.diagnostics())
    delete = next(a for a in await actions_at(lsp, data, 3) if a.title == "Delete line 4")
    data.apply_workspace_edit(delete.edit)
    await wait_for(lambda: (3, "duplicate") not in codes(data.diagnostics()), what="CSV duplicate deleted")
    data.close()
    recipe.close()


async def test_json_array_records(lsp: LanguageClient, workspace: Path) -> None:
    recipe = Doc(lsp, workspace / "arrays/vibeflow.yaml")
    await wait_for(
        lambda: doc_uri(workspace / "arrays/vibeflow.yaml") in lsp.diagnostics, what="recipe checked"
    )
    data = await open_checked(lsp, workspace / "arrays/train.json", (9, "duplicate"))
    delete = next(a for a in await actions_at(lsp, data, 9) if a.title == "Delete record 10")
    data.apply_workspace_edit(delete.edit)
    import json

    assert len(json.loads(data.text)) == 2, "deleting a record keeps the array valid JSON"
    await wait_for(lambda: not data.diagnostics(), what="JSON duplicate deleted")
    data.close()
    recipe.close()


def doc_uri(path: Path) -> str:
    return path.as_uri()
