"""Registers the LSP features and routes each request to the recipe or dataset implementation of its document."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vibeflow.lsp import contract, dataset_actions, recipe_actions, recipe_assist
from vibeflow.lsp.guard import guarded
from vibeflow.lsp.server import VibeFlowServer


def _supports_document_changes(server: VibeFlowServer) -> bool:
    caps = server.client_capabilities.workspace
    return bool(caps and caps.workspace_edit and caps.workspace_edit.document_changes)


def _supports_action_resolve(server: VibeFlowServer) -> bool:
    caps = server.client_capabilities.text_document
    action = caps.code_action if caps else None
    support = action.resolve_support if action else None
    return bool(support and "edit" in support.properties)


def register(server: VibeFlowServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded()
    def hover(ls: VibeFlowServer, params: types.HoverParams) -> types.Hover | None:
        session = ls.recipes.get(params.text_document.uri)
        return recipe_assist.hover(session, params.position) if session else None

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", " ", "-", "["])
    )
    @guarded(lambda: types.CompletionList(is_incomplete=False, items=[]))
    def completion(ls: VibeFlowServer, params: types.CompletionParams) -> types.CompletionList:
        session = ls.recipes.get(params.text_document.uri)
        if session is None:
            return types.CompletionList(is_incomplete=False, items=[])
        return recipe_assist.completion(session, params.position)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
    @guarded(list)
    async def code_lens(ls: VibeFlowServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        session = ls.recipes.get(params.text_document.uri)
        if session is None:
            return []
        await session.current()
        return recipe_actions.code_lenses(session)

    @server.feature(types.CODE_LENS_RESOLVE)
    @guarded()
    async def code_lens_resolve(ls: VibeFlowServer, lens: types.CodeLens) -> types.CodeLens:
        data = lens.data if isinstance(lens.data, dict) else {}
        session = ls.recipes.get(str(data.get("uri", "")))
        if session is None:
            lens.command = types.Command(
                title="$(dashboard) Estimate cost & time", command=contract.CMD_ESTIMATE
            )
            return lens
        await session.wait()
        return recipe_actions.resolve_lens(session, lens)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=True),
    )
    @guarded(list)
    async def code_action(ls: VibeFlowServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        first, last = params.range.start.line, params.range.end.line
        versioned = _supports_document_changes(ls)
        if (session := ls.recipes.get(uri)) is not None:
            await session.current()
            return recipe_actions.code_actions(session, first, last, params.context.diagnostics, versioned)
        if (dataset := ls.datasets.get(uri)) is not None:
            return dataset_actions.code_actions(
                dataset.doc,
                dataset.index,
                first,
                last,
                params.context.diagnostics,
                versioned,
                lazy=_supports_action_resolve(ls),
            )
        return []

    @server.feature(types.CODE_ACTION_RESOLVE)
    @guarded()
    def code_action_resolve(ls: VibeFlowServer, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        dataset = ls.datasets.get(str(data.get("uri", "")))
        if data.get("action") == dataset_actions.DELETE_ALL_DUPLICATES and dataset is not None:
            action.edit = dataset_actions.resolve_delete_duplicates(
                dataset.doc, dataset.index, _supports_document_changes(ls)
            )
        return action

    @server.feature(contract.EXPLAIN_RECIPE)
    @guarded(dict)
    async def explain_recipe(ls: VibeFlowServer, params: Any) -> dict[str, Any]:
        uri = getattr(params, "uri", None) or (params.get("uri") if isinstance(params, dict) else None)
        session = ls.recipes.get(str(uri))
        if session is None:
            return {"valid": False, "problems": [f"{uri} is not an open vibeflow.yaml"]}
        return recipe_actions.explain(await session.current())
