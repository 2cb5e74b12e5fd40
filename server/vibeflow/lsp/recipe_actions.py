"""CodeLens, quick fixes and the "why these settings" explanation for `vibeflow.yaml`.

Lenses run commands the extension implements (ids in contract.py); the estimate lens is resolved lazily
so its title can carry the cost and time. Quick fixes are WorkspaceEdits built from the findings' fixes.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vibeflow.lsp import contract, yaml_edit
from vibeflow.lsp.recipe_checks import Finding, Fix
from vibeflow.lsp.recipe_session import Analysis, RecipeSession, uri_path

Path = tuple[str, ...]


def _line_range(session: RecipeSession, line: int) -> types.Range:
    return types.Range(types.Position(line=line, character=0), types.Position(line=line, character=0))


def _args(session: RecipeSession, **extra: Any) -> list[dict[str, Any]]:
    return [{"recipeUri": session.doc.uri, "recipePath": str(uri_path(session.doc.uri)), **extra}]


def code_lenses(session: RecipeSession) -> list[types.CodeLens]:
    outline = session.outline()
    analysis = session.analysis
    top = outline.entry(("name",)) or (outline.entries[0] if outline.entries else None)
    line = top.line if top else 0
    lenses = [
        types.CodeLens(range=_line_range(session, line), data={"kind": "estimate", "uri": session.doc.uri})
    ]
    problems = analysis.problems if analysis else 0
    if problems:
        start = types.Command(
            title=f"$(error) Fix {problems} problem{'s' if problems > 1 else ''} before training",
            command=contract.CMD_SHOW_PROBLEMS,
        )
    else:
        start = types.Command(
            title="$(play) Start training", command=contract.CMD_START_TRAINING, arguments=_args(session)
        )
    lenses.append(types.CodeLens(range=_line_range(session, line), command=start))
    lenses.append(
        types.CodeLens(
            range=_line_range(session, line),
            command=types.Command(
                title="$(question) Why these settings?",
                command=contract.CMD_EXPLAIN,
                arguments=_args(session),
            ),
        )
    )
    data = outline.entry(("data", "path")) or outline.entry(("data",))
    if data is not None:
        data_path = str(analysis.data_path) if analysis and analysis.data_path else None
        lenses.append(
            types.CodeLens(
                range=_line_range(session, data.line),
                command=types.Command(
                    title="$(checklist) Open quality report",
                    command=contract.CMD_QUALITY_REPORT,
                    arguments=_args(session, dataPath=data_path),
                ),
            )
        )
    return lenses


def estimate_title(analysis: Analysis | None) -> str:
    base = "$(dashboard) Estimate cost & time"
    estimate = analysis.advice.estimate if analysis and analysis.advice else None
    if estimate is None:
        return base
    try:
        chosen = estimate.cost.chosen
        cost = "free (local)" if chosen is None or chosen.tier == "local" else f"~${chosen.compute_usd:,.2f}"
        return f"{base}: {cost} · {estimate.time.human} on {estimate.device}"
    except AttributeError:
        return base


def resolve_lens(session: RecipeSession, lens: types.CodeLens) -> types.CodeLens:
    lens.command = types.Command(
        title=estimate_title(session.analysis), command=contract.CMD_ESTIMATE, arguments=_args(session)
    )
    return lens


def _workspace_edit(session: RecipeSession, fix: Fix, versioned: bool) -> types.WorkspaceEdit:
    doc = session.doc
    outline = session.outline()
    edits: list[types.TextEdit] = []
    if fix.replace is not None:
        line, start, end, text = fix.replace
        edits.append(yaml_edit.replace_span(doc, line, start, end, text))
    for path, value in fix.sets:
        edits.append(yaml_edit.set_value(doc, outline, path, value))
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(identifier, edits)])
    return types.WorkspaceEdit(changes={doc.uri: edits})


def _touches(finding: Finding, first: int, last: int) -> bool:
    return first <= finding.line <= last


def code_actions(
    session: RecipeSession, first: int, last: int, context: list[types.Diagnostic], versioned: bool
) -> list[types.CodeAction]:
    analysis = session.analysis
    if analysis is None or analysis.version != session.doc.version:
        return []
    actions: list[types.CodeAction] = []
    for finding in analysis.findings:
        if not _touches(finding, first, last):
            continue
        matching = [d for d in context if d.range.start.line == finding.line and d.message == finding.message]
        for fix in finding.fixes:
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=matching or None,
                    is_preferred=fix.preferred or None,
                    edit=_workspace_edit(session, fix, versioned),
                )
            )
    return actions


def explain(analysis: Analysis | None) -> dict[str, Any]:
    """The payload of `vibeflow/explainRecipe`: values in effect, advice with reasons, estimate, problems."""
    if analysis is None or analysis.recipe is None:
        return {"valid": False, "problems": [f.message for f in (analysis.findings if analysis else [])]}
    advice = analysis.advice
    estimate = advice.estimate if advice else None
    return {
        "valid": True,
        "method": analysis.recipe.method,
        "preset": analysis.recipe.preset,
        "baseModel": analysis.recipe.base_model,
        "device": analysis.device,
        "cuda": analysis.cuda,
        "datasetRows": analysis.rows,
        "values": analysis.values,
        "advice": [
            {
                "field": ".".join(a.path),
                "recommended": a.recommended,
                "low": a.low,
                "high": a.high,
                "why": a.why,
            }
            for a in (advice.fields.values() if advice else [])
        ],
        "memory": advice.memory.__dict__ if advice and advice.memory else None,
        "estimate": estimate.model_dump(mode="json") if hasattr(estimate, "model_dump") else None,
        "findings": [
            {"line": f.line, "message": f.message, "severity": f.severity, "code": f.code}
            for f in analysis.findings
        ],
    }
