"""A recipe's data through a real client: rows counted as the importer counts them (multi-line CSV cells), and a
file that is not a dataset (a PNG named .csv) is an error on data.path with the importer's reason and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_lsp import LanguageClient
from tests.lsp.conftest import wait_for
from tests.lsp.helpers import Doc

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _recipe(folder: Path, data: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "vibeflow.yaml"
    path.write_text(f"name: data-check\nmethod: lora\ndata:\n  path: {data}\n", encoding="utf-8")
    return path


async def test_multiline_csv_rows_are_records_not_lines(lsp: LanguageClient, workspace: Path) -> None:
    folder = workspace / "multiline"
    cells = "".join(
        f'"My parcel {n} never came.\nI checked twice.\nPlease help.","We are sorry.\nA new parcel ships today."\n'
        for n in range(120)
    )
    (folder / "tickets.csv").parent.mkdir(parents=True, exist_ok=True)
    (folder / "tickets.csv").write_text("question,answer\n" + cells, encoding="utf-8")
    doc = Doc(lsp, _recipe(folder, "tickets.csv"), language="yaml")
    await wait_for(lambda: doc.uri in lsp.diagnostics, what="diagnostics of the recipe")
    explained = await lsp.protocol.send_request_async("vibeflow/explainRecipe", {"uri": doc.uri})
    assert explained.datasetRows == 120  # 481 lines
    assert not [d for d in doc.diagnostics() if d.code == "data-unreadable"]
    doc.close()


async def test_an_image_named_csv_is_an_error_on_the_data_path(lsp: LanguageClient, workspace: Path) -> None:
    folder = workspace / "image"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    doc = Doc(lsp, _recipe(folder, "photo.csv"), language="yaml")
    await wait_for(
        lambda: any(d.code == "data-unreadable" for d in lsp.diagnostics.get(doc.uri, [])),
        what="the unreadable-data diagnostic",
    )
    found = next(d for d in doc.diagnostics() if d.code == "data-unreadable")
    assert found.range.start.line == 3 and "PNG image" in found.message and "Fix:" in found.message
    explained = await lsp.protocol.send_request_async("vibeflow/explainRecipe", {"uri": doc.uri})
    assert explained.datasetRows is None
    doc.close()
