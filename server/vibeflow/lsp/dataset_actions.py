"""Quick fixes for dataset lines (delete line, delete all duplicates, redact PII) as undoable WorkspaceEdits.

The user's file only ever changes through these edits: the editor applies them, so Ctrl+Z undoes them.
"Delete all duplicates" is computed lazily in `codeAction/resolve` when the client supports it, because a
100K-line file may have thousands of them and code actions are requested on every cursor move.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vibeflow.lsp.dataset_index import DatasetIndex
from vibeflow.lsp.dataset_rows import DUPLICATE, PII, Issue
from vibeflow.lsp.dataset_tables import JsonArrayIndex
from vibeflow.lsp.documents import LineDocument, to_column

DELETE_ALL_DUPLICATES = "delete-all-duplicates"


def _pos(doc: LineDocument, line: int, index: int) -> types.Position:
    return types.Position(line=line, character=to_column(doc.line(line), index, doc.encoding))


def _delete_lines(doc: LineDocument, first: int, last: int) -> types.Range:
    """The range that removes lines first..last with their line break."""
    if last + 1 < len(doc.lines):
        return types.Range(_pos(doc, first, 0), _pos(doc, last + 1, 0))
    if first > 0:
        return types.Range(
            _pos(doc, first - 1, len(doc.line(first - 1))), _pos(doc, last, len(doc.line(last)))
        )
    return types.Range(_pos(doc, first, 0), _pos(doc, last, len(doc.line(last))))


def _offset_range(doc: LineDocument, index: JsonArrayIndex, start: int, end: int) -> types.Range:
    a_line, a_col = index._position(start)
    b_line, b_col = index._position(end)
    return types.Range(_pos(doc, a_line, a_col), _pos(doc, b_line, b_col))


def delete_record_edits(doc: LineDocument, index: DatasetIndex, lines: list[int]) -> list[types.TextEdit]:
    """Edits deleting the records starting at `lines` (runs of adjacent records merge into one edit)."""
    if isinstance(index, JsonArrayIndex):
        edits = []
        for line in sorted(set(lines)):
            offsets = index.deletion_offsets(line)
            if offsets is not None:
                edits.append(types.TextEdit(_offset_range(doc, index, *offsets), ""))
        return edits
    spans = sorted(index.record_range(line) for line in set(lines))
    runs: list[list[int]] = []
    for first, last in spans:
        if runs and first <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    return [types.TextEdit(_delete_lines(doc, first, last), "") for first, last in runs]


def workspace_edit(doc: LineDocument, edits: list[types.TextEdit], versioned: bool) -> types.WorkspaceEdit:
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(identifier, edits)])
    return types.WorkspaceEdit(changes={doc.uri: edits})


def _action(
    title: str,
    diagnostic: types.Diagnostic | None,
    edit: types.WorkspaceEdit | None = None,
    preferred: bool = False,
    data: Any = None,
) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        edit=edit,
        is_preferred=preferred,
        diagnostics=[diagnostic] if diagnostic else None,
        data=data,
    )


def _matching(diagnostics: list[types.Diagnostic], line: int, issue: Issue) -> types.Diagnostic | None:
    for diagnostic in diagnostics:
        if diagnostic.range.start.line == line and diagnostic.code == issue.code:
            return diagnostic
    return None


def code_actions(
    doc: LineDocument,
    index: DatasetIndex,
    first: int,
    last: int,
    context: list[types.Diagnostic],
    versioned: bool,
    lazy: bool,
) -> list[types.CodeAction]:
    """Quick fixes for the issues on lines first..last (from our index, not only the published ones)."""
    actions: dict[str, types.CodeAction] = {}
    noun = "record" if isinstance(index, JsonArrayIndex) else "line"
    for line in range(max(0, first), min(last, len(doc.lines) - 1) + 1):
        for issue in index.issues_at(line):
            diagnostic = _matching(context, line, issue)
            title = f"Delete {noun} {line + 1}"
            if title not in actions:
                edit = workspace_edit(doc, delete_record_edits(doc, index, [line]), versioned)
                actions[title] = _action(title, diagnostic, edit, preferred=issue.code == DUPLICATE)
            if issue.code == DUPLICATE:
                count = sum(1 for _ in index.duplicate_lines())
                title = f"Delete all {count:,} exact duplicates in this file (keep first occurrences)"
                data = {"action": DELETE_ALL_DUPLICATES, "uri": doc.uri, "version": doc.version}
                edit = None if lazy else resolve_delete_duplicates(doc, index, versioned)
                actions.setdefault(title, _action(title, diagnostic, edit, data=data))
            if issue.code == PII and issue.data:
                replacement = str(issue.data.get("replacement", "[REDACTED]"))
                title = f"Redact {issue.data.get('kind', 'value')} on line {line + 1} as {replacement}"
                text_edit = types.TextEdit(
                    types.Range(_pos(doc, line, issue.start), _pos(doc, line, issue.end)), replacement
                )
                actions.setdefault(
                    title, _action(title, diagnostic, workspace_edit(doc, [text_edit], versioned))
                )
    return list(actions.values())


def resolve_delete_duplicates(doc: LineDocument, index: DatasetIndex, versioned: bool) -> types.WorkspaceEdit:
    lines = [line for line, _ in index.duplicate_lines()]
    return workspace_edit(doc, delete_record_edits(doc, index, lines), versioned)
