"""Hover and completion in `vibeflow.yaml`: explain any key or choice, complete keys, choices and data files.

Both work from the forgiving outline, so they keep working while the recipe is half typed or invalid.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vibeflow.lsp import field_docs, recipe_fields
from vibeflow.lsp.recipe_checks import DATA_SUFFIXES, yaml_number
from vibeflow.lsp.recipe_session import Analysis, RecipeSession
from vibeflow.lsp.yaml_outline import context_at

Path = tuple[str, ...]
TRAINING_KEYS = {
    "lora_r": ("training", "lora", "r"),
    "lora_alpha": ("training", "lora", "alpha"),
    "lora_dropout": ("training", "lora", "dropout"),
    "lora_target_modules": ("training", "lora", "target_modules"),
}


def _resolved(analysis: Analysis | None, path: Path) -> tuple[Any, str | None]:
    """(value in effect, preset name when it comes from the preset) for a training key."""
    if analysis is None or analysis.values is None or not path or path[0] != "training":
        return None, None
    flat = next((k for k, p in TRAINING_KEYS.items() if p == path), path[-1] if len(path) == 2 else None)
    if flat is None or flat not in analysis.values:
        return None, None
    entry = analysis.outline.entry(path)
    return analysis.values[flat], (None if entry is not None else analysis.recipe.preset)


def hover(session: RecipeSession, position: types.Position) -> types.Hover | None:
    doc = session.doc
    outline = session.outline()
    index = doc.index(position.line, position.character)
    context = context_at(outline, doc.lines, position.line, index)
    if context is None or not context.path:
        return None
    analysis = session.analysis
    text: str | None = None
    if context.kind in ("value", "item") and context.word:
        text = field_docs.choice_markdown(context.path, context.word)
    if text is None:
        current, preset = _resolved(analysis, context.path)
        advice = analysis.advice.fields.get(context.path) if analysis and analysis.advice else None
        text = field_docs.field_markdown(context.path, current, preset, advice)
        model = analysis.advice.model if analysis and analysis.advice else None
        if text is not None and context.path == ("base_model",) and model is not None:
            text += "\n\n" + field_docs.model_markdown(model, analysis.advice.estimate)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


def _item(
    label: str,
    kind: types.CompletionItemKind,
    detail: str = "",
    doc: str = "",
    insert: str | None = None,
    snippet: bool = False,
    sort: str | None = None,
    preselect: bool = False,
) -> types.CompletionItem:
    return types.CompletionItem(
        label=label,
        kind=kind,
        detail=detail or None,
        documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
        insert_text=insert,
        insert_text_format=types.InsertTextFormat.Snippet if snippet else None,
        sort_text=sort,
        preselect=preselect or None,
    )


def _key_items(session: RecipeSession, parent: Path) -> list[types.CompletionItem]:
    outline = session.outline()
    present = {e.path[-1] for e in outline.children(parent)}
    items = []
    for spec in recipe_fields.children(parent):
        name = spec.path[-1]
        if name in present:
            continue
        if spec.kind == "block":
            insert, snippet = f"{name}:\n  $0", True
        else:
            insert, snippet = f"{name}: ", False
        order = "0" if spec.required else "1"
        items.append(
            _item(
                name,
                types.CompletionItemKind.Property,
                spec.type_label(),
                field_docs.field_markdown(spec.path) or "",
                insert,
                snippet,
                f"{order}{name}",
            )
        )
    return items


def _data_files(session: RecipeSession) -> list[types.CompletionItem]:
    folder = session.folder
    files = []
    for path in sorted(folder.rglob("*")):
        if len(files) >= 50:
            break
        rel = path.relative_to(folder)
        if (
            path.suffix.lower() in DATA_SUFFIXES
            and not any(p.startswith(".") for p in rel.parts)
            and path.is_file()
        ):
            files.append(_item(rel.as_posix(), types.CompletionItemKind.File, "dataset file"))
    return files


def _value_items(session: RecipeSession, path: Path, in_list: bool) -> list[types.CompletionItem]:
    spec = recipe_fields.spec(path)
    if spec is None:
        return []
    items: list[types.CompletionItem] = []
    choices = spec.item_choices if (in_list or spec.kind == "list") else spec.choices
    for choice in choices:
        doc = field_docs.CHOICES.get(path, {}).get(choice, "")
        items.append(
            _item(
                choice,
                types.CompletionItemKind.EnumMember,
                spec.dotted,
                doc,
                preselect=choice == spec.default,
            )
        )
    if spec.kind == "boolean":
        items += [_item(v, types.CompletionItemKind.Value, spec.dotted) for v in ("true", "false")]
    if path == ("data", "path"):
        items += _data_files(session)
    analysis = session.analysis
    if spec.kind in ("number", "integer"):
        advice = analysis.advice.fields.get(path) if analysis and analysis.advice else None
        if advice is not None:
            text = yaml_number(advice.recommended)
            items.append(
                _item(
                    text, types.CompletionItemKind.Value, "recommended", advice.why, sort="0", preselect=True
                )
            )
        current, preset = _resolved(analysis, path)
        if current is not None and preset is not None:
            items.append(
                _item(yaml_number(current), types.CompletionItemKind.Value, f"preset {preset}", sort="1")
            )
    if path == ("base_model",):
        items += _model_items()
    if path == ("compute", "gpu"):
        items += _gpu_items()
    return items


def _model_items() -> list[types.CompletionItem]:
    try:
        from vibeflow.recommend.catalog import models
    except Exception:  # noqa: BLE001 - catalog optional
        return []
    return [_item(m.hf_id, types.CompletionItemKind.Module, f"{m.name} · {m.params_b:g}B") for m in models()]


def _gpu_items() -> list[types.CompletionItem]:
    try:
        from vibeflow.recommend.catalog import gpus
    except Exception:  # noqa: BLE001 - catalog optional
        return []
    return [_item(g.id, types.CompletionItemKind.Value, f"{g.name} · {g.memory_gb:g} GB") for g in gpus()]


def completion(session: RecipeSession, position: types.Position) -> types.CompletionList:
    doc = session.doc
    outline = session.outline()
    index = doc.index(position.line, position.character)
    context = context_at(outline, doc.lines, position.line, index)
    items: list[types.CompletionItem] = []
    if context is not None:
        if context.kind in ("new-key", "key"):
            parent = context.path if context.kind == "new-key" else context.path[:-1]
            items = _key_items(session, parent)
        elif context.kind == "value":
            items = _value_items(session, context.path, in_list=False)
        elif context.kind == "item":
            items = _value_items(session, context.path, in_list=True)
    return types.CompletionList(is_incomplete=False, items=items)
