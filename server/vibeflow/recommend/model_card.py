"""A model folder's licence (README front matter) and chat-template family (tokenizer_config.json), when visible."""

from __future__ import annotations

import json
import re
from pathlib import Path

UNKNOWN = "unknown"
# Licences whose terms allow commercial use without a separate agreement (Hub licence tags).
PERMISSIVE = frozenset(
    {"apache-2.0", "mit", "bsd-2-clause", "bsd-3-clause", "cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "openrail"}
)
# A chat template's tell-tale tokens → the catalog's template family names.
TEMPLATE_MARKERS = (
    ("<|im_start|>", "chatml"),
    ("<|start_header_id|>", "llama3"),
    ("<start_of_turn>", "gemma"),
    ("[INST]", "mistral"),
    ("<|user|>", "phi3"),
)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.DOTALL)
_LICENSE_LINE = re.compile(r"^license:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(#.*)?$", re.MULTILINE)


def licence(folder: Path) -> str:
    """The `license:` of README.md's YAML front matter (the Hub model card), or "unknown"."""
    try:
        text = (folder / "README.md").read_text(encoding="utf-8", errors="replace")[:20_000]
    except OSError:
        return UNKNOWN
    block = _FRONT_MATTER.match(text)
    found = _LICENSE_LINE.search(block.group(1)) if block else None
    return found.group(1).strip().lower() if found else UNKNOWN


def commercial(licence_id: str) -> bool:
    return licence_id in PERMISSIVE


def _template_text(folder: Path) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8", errors="replace")
    for name in ("chat_template.json", "tokenizer_config.json"):
        path = folder / name
        if path.is_file():
            template = json.loads(path.read_text(encoding="utf-8")).get("chat_template")
            if isinstance(template, list):  # named templates: [{"name": ..., "template": ...}]
                template = " ".join(str(t.get("template", "")) for t in template if isinstance(t, dict))
            if template:
                return str(template)
    return None


def chat_template(folder: Path) -> str:
    """The chat-template family ("chatml" when it uses <|im_start|>, …), "custom" for another, else "unknown"."""
    try:
        text = _template_text(folder)
    except (OSError, ValueError, AttributeError):
        return UNKNOWN
    if not text:
        return UNKNOWN
    return next((family for marker, family in TEMPLATE_MARKERS if marker in text), "custom")
