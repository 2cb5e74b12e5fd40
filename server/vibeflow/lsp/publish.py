"""Turns located issues into `textDocument/publishDiagnostics` sent as plain JSON, capped per file.

Thousands of diagnostics through cattrs cost tens of milliseconds; building the dicts directly and letting
`json.dumps` serialize them keeps a publish of a large dataset within a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from vibeflow.lsp.contract import DIAGNOSTIC_SOURCE
from vibeflow.lsp.dataset_rows import INFO, Issue
from vibeflow.lsp.documents import LineDocument, to_column

PUBLISH_DIAGNOSTICS = "textDocument/publishDiagnostics"
TRUNCATED = "truncated"


def issue_range(doc: LineDocument, line: int, start: int, end: int) -> dict[str, Any]:
    """LSP range (client units) of Python indices start..end on `line` (end -1: end of line)."""
    text = doc.line(line)
    stop = len(text) if end < 0 else min(end, len(text))
    begin = min(max(0, start), stop)
    if not text.isascii():
        begin, stop = to_column(text, begin, doc.encoding), to_column(text, stop, doc.encoding)
    return {"start": {"line": line, "character": begin}, "end": {"line": line, "character": stop}}


def diagnostic(doc: LineDocument, line: int, issue: Issue) -> dict[str, Any]:
    out = {
        "range": issue_range(doc, line, issue.start, issue.end),
        "severity": issue.severity,
        "code": issue.code,
        "source": DIAGNOSTIC_SOURCE,
        "message": issue.message,
    }
    if issue.data:
        out["data"] = dict(issue.data)
    return out


def build(
    doc: LineDocument, items: Iterable[tuple[int, Issue]], total: int, shown: int
) -> list[dict[str, Any]]:
    out = [diagnostic(doc, line, issue) for line, issue in items]
    if total > shown:
        note = Issue(
            TRUNCATED,
            f"showing the first {shown:,} of {total:,} issues in this file; the quality "
            "report lists them all",
            INFO,
            0,
            0,
        )
        out.insert(0, diagnostic(doc, 0, note))
    return out


def send(server: Any, uri: str, version: int | None, diagnostics: list[dict[str, Any]]) -> None:
    """Send a publishDiagnostics notification without the cattrs round trip (orjson straight to the pipe)."""
    params: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
    if version is not None:
        params["version"] = version
    message = {"jsonrpc": "2.0", "method": PUBLISH_DIAGNOSTICS, "params": params}
    writer = getattr(server.protocol, "writer", None)
    if writer is None or not getattr(server.protocol, "_include_headers", True):
        server.protocol._send_data(message)
        return
    body = orjson.dumps(message)
    writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
