"""Decide which source columns become the user, assistant and system turns (the column mapping) and how sure we are."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vibeflow.data.profile import ColumnProfile
from vibeflow.errors import MappingError

SHAPES = ("instruction_response", "alpaca", "sharegpt", "openai_messages", "prompt_completion")
CHAT_SHAPES = ("sharegpt", "openai_messages")

INPUT_NAMES = {
    **dict.fromkeys(("instruction", "prompt", "question", "user_message", "user_input", "user_prompt"), 1.0),
    **dict.fromkeys(("user_query", "text_input", "input_text", "customer_message", "customer_query"), 1.0),
    **dict.fromkeys(("question_text", "customer_question", "human_message", "query_text"), 1.0),
    **dict.fromkeys(("query", "user", "human", "instructions"), 0.95),
    **dict.fromkeys(("input", "inputs", "request", "problem"), 0.9),
    **dict.fromkeys(("source", "utterance", "src_text", "source_text"), 0.85),
    **dict.fromkeys(("src", "q", "ask", "inquiry"), 0.8),
    **dict.fromkeys(("message", "post", "ticket", "comment"), 0.6),
    **dict.fromkeys(("text", "content", "body", "email", "sentence", "document"), 0.5),
}
OUTPUT_NAMES = {
    **dict.fromkeys(("output", "response", "answer", "completion", "assistant_message"), 1.0),
    **dict.fromkeys(
        ("assistant_response", "text_output", "output_text", "support_reply", "agent_reply"), 1.0
    ),
    **dict.fromkeys(
        ("agent_response", "response_text", "answer_text", "bot_response", "model_response"), 1.0
    ),
    **dict.fromkeys(("reply", "assistant", "gpt", "expected_output", "ideal_response"), 0.95),
    **dict.fromkeys(("bot", "outputs", "answers", "solution"), 0.9),
    **dict.fromkeys(("target", "resolution", "generation", "generated_text", "target_text"), 0.85),
    **dict.fromkeys(("tgt", "a", "ground_truth", "chosen"), 0.8),
    **dict.fromkeys(("translation", "summary", "rewrite", "correction"), 0.75),
    **dict.fromkeys(("label", "class", "intent", "sentiment"), 0.5),
}
INPUT_TOKENS = {"instruction", "prompt", "question", "query", "input", "user", "human", "customer", "request"}
INPUT_TOKENS |= {"source", "src", "ask", "problem", "inquiry", "utterance", "client"}
OUTPUT_TOKENS = {"output", "response", "answer", "completion", "reply", "assistant", "gpt", "bot", "agent"}
OUTPUT_TOKENS |= {"support", "target", "tgt", "solution", "resolution", "generation", "generated", "model"}
META_TOKENS = {"id", "ids", "uuid", "idx", "index", "num", "count", "len", "length", "score", "date", "time"}
META_TOKENS |= {
    "lang",
    "language",
    "type",
    "category",
    "tags",
    "tag",
    "url",
    "rating",
    "source_id",
    "timestamp",
}
SECONDARY_INPUTS = ("input", "context", "passage", "additional_input", "additional_context", "knowledge")
SYSTEM_NAMES = ("system", "system_prompt", "system_message", "sys", "sys_prompt", "system_instruction")
SYSTEM_NAMES += ("persona", "system_text")
CHAT_NAMES = ("messages", "conversations", "conversation", "chat", "dialog", "dialogue", "turns", "history")
KNOWN_PAIRS = {
    ("instruction", "output"),
    ("instruction", "response"),
    ("prompt", "completion"),
    ("prompt", "response"),
    ("question", "answer"),
    ("input", "output"),
    ("query", "response"),
    ("user_message", "assistant_message"),
    ("text_input", "text_output"),
    ("customer_message", "support_reply"),
    ("query", "reply"),
    ("source", "target"),
}
# Kinds a column may have and still be used as a turn (numbers/labels only when the name says so).
_WEAK_KINDS = ("category", "number", "bool", "id", "empty")

FIX = (
    "Pass the columns explicitly, e.g. `vibeflow data import FILE --input-col question --output-col answer` "
    "(or pick them in the column-mapping panel)."
)


@dataclass
class ColumnMapping:
    """Which source columns make the conversation: user turn from `input`, assistant from `output`."""

    shape: str
    input: list[str]
    output: str | None
    system: str | None = None
    confidence: float = 1.0
    ignored: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def is_chat(self) -> bool:
        return self.shape in CHAT_SHAPES

    @property
    def used(self) -> list[str]:
        cols = [*self.input, *([self.output] if self.output else []), *([self.system] if self.system else [])]
        return list(dict.fromkeys(cols))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def normalize_name(name: str) -> str:
    """`User Message`, `userMessage` and `user-message` all become `user_message`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    return re.sub(r"[^0-9a-z]+", "_", spaced.lower()).strip("_")


def name_score(name: str, role: str) -> float:
    """How strongly a column name says it is the `role` ("input" or "output") of a pair, 0..1."""
    norm = normalize_name(name)
    exact = (INPUT_NAMES if role == "input" else OUTPUT_NAMES).get(norm)
    if exact is not None:
        return exact
    if norm in (OUTPUT_NAMES if role == "input" else INPUT_NAMES):
        return 0.0
    tokens = set(norm.split("_"))
    if tokens & META_TOKENS:
        return 0.0
    mine, other = (INPUT_TOKENS, OUTPUT_TOKENS) if role == "input" else (OUTPUT_TOKENS, INPUT_TOKENS)
    if tokens & mine:
        return 0.4 if tokens & other else 0.8
    return 0.0


def detect_mapping(profiles: Mapping[str, ColumnProfile]) -> ColumnMapping:
    """Best-guess mapping for columns profiled from a sample; `confidence` says how much to trust it."""
    chats = [p for p in profiles.values() if p.kind == "chat"]
    if chats:
        return _chat_mapping(profiles, chats)
    return _pair_mapping(profiles, fixed_input=None, fixed_output=None)


def explicit_mapping(
    profiles: Mapping[str, ColumnProfile],
    input_col: str | Sequence[str] | None,
    output_col: str | None,
    system_col: str | None,
) -> ColumnMapping:
    """Mapping from the columns the user named; whatever was not named is detected among the rest."""
    names = list(profiles)
    inputs = [resolve_column(names, c) for c in split_columns(names, input_col)] if input_col else None
    output = resolve_column(names, output_col) if output_col else None
    system = resolve_column(names, system_col) if system_col else None
    if not inputs and not output:
        chats = [p for p in profiles.values() if p.kind == "chat" and p.name != system]
        if chats:
            return _chat_mapping(profiles, chats, system=system)
        return _pair_mapping(profiles, fixed_input=None, fixed_output=None, system=system)
    if inputs and len(inputs) == 1 and profiles[inputs[0]].kind == "chat":
        if output:
            raise MappingError(
                f"Column '{inputs[0]}' holds whole conversations, so it needs no output column",
                fix="Leave out --output-col for chat data, or pick a plain text column as --input-col.",
                details={"columns": names},
            )
        return _chat_mapping(profiles, [profiles[inputs[0]]], system=system, explicit=True)
    for col in [*(inputs or []), *([output] if output else [])]:
        if profiles[col].kind == "chat":
            raise MappingError(
                f"Column '{col}' holds conversations; it can only be used alone as --input-col",
                fix=f"Pass only --input-col {col} (no --output-col).",
                details={"columns": names},
            )
    mapping = _pair_mapping(profiles, fixed_input=inputs, fixed_output=output, system=system)
    if inputs and output:
        mapping.confidence = 1.0
        mapping.reasons.insert(0, "columns chosen explicitly")
    return mapping


def split_columns(names: Sequence[str], value: str | Sequence[str]) -> list[str]:
    """`--input-col a,b` means two columns unless a column is literally called "a,b"."""
    if isinstance(value, str):
        if value in names or "," not in value:
            return [value]
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def resolve_column(names: Sequence[str], wanted: str) -> str:
    if wanted in names:
        return wanted
    matches = [n for n in names if normalize_name(n) == normalize_name(wanted)]
    if len(matches) == 1:
        return matches[0]
    raise MappingError(
        f"Column '{wanted}' does not exist; the file has: {', '.join(names)}",
        fix=f"Use one of these column names: {', '.join(names)}.",
        details={"columns": list(names), "missing": wanted},
    )


def _chat_mapping(
    profiles: Mapping[str, ColumnProfile],
    chats: list[ColumnProfile],
    system: str | None = None,
    explicit: bool = False,
) -> ColumnMapping:
    best = max(chats, key=lambda p: (normalize_name(p.name) in CHAT_NAMES, p.filled))
    shape = "sharegpt" if best.chat_style == "sharegpt" else "openai_messages"
    style = "from/value" if shape == "sharegpt" else "role/content"
    known = normalize_name(best.name) in CHAT_NAMES
    confidence = 1.0 if explicit else (0.95 if known else 0.85)
    reasons = [f"'{best.name}' holds conversations as lists of {style} messages ({shape})"]
    if len(chats) > 1 and not explicit:
        confidence -= 0.15
        reasons.append(f"several conversation columns; using '{best.name}'")
    if best.filled < 0.5:
        confidence -= 0.2
        reasons.append(f"'{best.name}' is empty in {1 - best.filled:.0%} of sampled rows")
    system = system or _find_system(profiles, exclude={best.name})
    if system:
        reasons.append(f"'{system}' becomes the system prompt")
    mapping = ColumnMapping(shape, [best.name], None, system, round(max(confidence, 0.0), 2), [], reasons)
    return _with_ignored(mapping, profiles)


def _pair_mapping(
    profiles: Mapping[str, ColumnProfile],
    fixed_input: list[str] | None,
    fixed_output: str | None,
    system: str | None = None,
) -> ColumnMapping:
    system = system or _find_system(
        profiles, exclude={*(fixed_input or []), *([fixed_output] if fixed_output else [])}
    )
    reserved = {system} if system else set()
    pool = [p for p in profiles.values() if p.name not in reserved]
    if not fixed_input and not fixed_output and not any(p.is_text for p in pool):
        kinds = ", ".join(f"{p.name} ({p.kind})" for p in profiles.values())
        raise MappingError(
            f"No text columns found (columns: {kinds})",
            fix="Import a file whose columns hold the prompts and answers as text, or name the columns "
            "to use with --input-col/--output-col.",
            details=_details(profiles),
        )
    reasons: list[str] = []
    primary = fixed_input[0] if fixed_input else None
    output = fixed_output
    in_score = 1.0 if primary else 0.0
    out_score = 1.0 if output else 0.0
    if not primary or not output:
        taken = set(fixed_input or [])
        primary, output, in_score, out_score = _best_pair(pool, primary, output, taken)
    if primary is None or output is None:
        found = primary or output
        raise MappingError(
            f"Found only one usable text column ({found})" if found else "Found no usable text columns",
            fix=FIX,
            details=_details(profiles),
        )
    inputs = list(fixed_input) if fixed_input else [primary, *_secondary_inputs(pool, primary, output)]
    confidence = _pair_confidence(profiles, pool, primary, output, in_score, out_score, reasons)
    if len(inputs) > 1 and not fixed_input:
        reasons.append(f"'{inputs[1]}' is appended to the user turn after '{primary}' when not empty")
    if system:
        reasons.append(f"'{system}' becomes the system prompt")
    mapping = ColumnMapping(_flat_shape(inputs, output), inputs, output, system, confidence, [], reasons)
    return _with_ignored(mapping, profiles)


def _best_pair(
    pool: list[ColumnProfile], primary: str | None, output: str | None, taken: set[str]
) -> tuple[str | None, str | None, float, float]:
    """Choose the missing side(s) of the pair: by name first, then by content (longer text = answer)."""
    usable = [p for p in pool if (p.kind == "text" or p.kind in _WEAK_KINDS) and p.name not in taken]

    def ranked(role: str, taken: set[str]) -> list[tuple[float, ColumnProfile]]:
        scored = []
        for p in usable:
            score = name_score(p.name, role)
            if p.name in taken or (p.kind != "text" and score < 0.9):
                continue
            scored.append((score, p))
        return sorted(scored, key=lambda sp: (sp[0], sp[1].is_text, sp[1].avg_length), reverse=True)

    in_score = 1.0 if primary else 0.0
    out_score = 1.0 if output else 0.0
    if primary is None and output is None:
        best = None
        for si, pi in ranked("input", set()):
            for so, po in ranked("output", {pi.name}):
                if si <= 0 or so <= 0:
                    continue
                total = (
                    si
                    + so
                    + (0.5 if (normalize_name(pi.name), normalize_name(po.name)) in KNOWN_PAIRS else 0)
                )
                if best is None or total > best[0]:
                    best = (total, pi.name, po.name, si, so)
        if best and best[3] > 0 and best[4] > 0:
            return best[1], best[2], best[3], best[4]
    if output is None:
        options = ranked("output", {primary} if primary else set())
        named = [sp for sp in options if sp[0] > 0 and sp[1].name != primary]
        if named:
            out_score, chosen = named[0]
            output = chosen.name
    if primary is None:
        options = ranked("input", {output} if output else set())
        named = [sp for sp in options if sp[0] > 0]
        if named:
            in_score, chosen = named[0]
            primary = chosen.name
    texts = [p for p in usable if p.is_text and p.name not in {primary, output}]
    texts.sort(key=lambda p: p.avg_length)
    if primary is None and output is None and len(texts) >= 2:
        return texts[0].name, texts[-1].name, 0.0, 0.0
    if primary is None and texts:
        primary = texts[0].name
    elif output is None and texts:
        output = texts[-1].name
    return primary, output, in_score, out_score


def _pair_confidence(
    profiles: Mapping[str, ColumnProfile],
    pool: list[ColumnProfile],
    primary: str,
    output: str,
    in_score: float,
    out_score: float,
    reasons: list[str],
) -> float:
    pi, po = profiles[primary], profiles[output]
    pair = (normalize_name(primary), normalize_name(output))
    if in_score > 0 and out_score > 0:
        if pair in KNOWN_PAIRS and min(in_score, out_score) >= 0.85:
            confidence = 0.97
            reasons.append(f"'{primary}' → '{output}' is a well-known input/output column pair")
        else:
            confidence = 0.55 + 0.4 * min(in_score, out_score)
            reasons.append(f"input '{primary}' and output '{output}' recognised by name")
    elif in_score > 0 or out_score > 0:
        named, guessed = (primary, output) if in_score > 0 else (output, primary)
        others = [p for p in pool if p.is_text and p.name not in {primary, output}]
        factor = 0.8 if not others else 0.5
        if max(in_score, out_score) <= 0.5:  # a generic name ("text", "body") says little
            factor = min(factor, 0.6)
        confidence = factor * (0.6 + 0.4 * max(in_score, out_score))
        reasons.append(
            f"'{named}' recognised by name; '{guessed}' chosen as the "
            f"{'output' if guessed == output else 'input'} by content"
            + (" (the only other text column)" if not others else f" among {len(others) + 1} text columns")
        )
    else:
        others = [p for p in pool if p.is_text and p.name not in {primary, output}]
        confidence = 0.5 if not others else 0.35
        reasons.append(
            f"no column names look like input/output; guessed from content: '{output}' has the longer "
            f"texts (~{po.avg_length:.0f} vs ~{pi.avg_length:.0f} chars)"
        )
    for p, role in ((pi, "input"), (po, "output")):
        if not p.is_text:
            confidence -= 0.15
            reasons.append(f"the {role} column '{p.name}' does not look like free text ({p.kind})")
        if p.filled < 0.5:
            confidence -= 0.1
            reasons.append(f"the {role} column '{p.name}' is empty in {1 - p.filled:.0%} of sampled rows")
    return round(min(max(confidence, 0.0), 1.0), 2)


def _secondary_inputs(pool: list[ColumnProfile], primary: str, output: str) -> list[str]:
    extra = []
    for p in pool:
        norm = normalize_name(p.name)
        if p.name in (primary, output) or norm not in SECONDARY_INPUTS or p.kind not in ("text", "empty"):
            continue
        if norm == "input" and normalize_name(primary) not in ("instruction", "instructions", "prompt"):
            continue
        extra.append(p.name)
    return extra


def _find_system(profiles: Mapping[str, ColumnProfile], exclude: set[str]) -> str | None:
    for p in profiles.values():
        if p.name not in exclude and normalize_name(p.name) in SYSTEM_NAMES and p.kind in ("text", "empty"):
            return p.name
    return None


def _details(profiles: Mapping[str, ColumnProfile]) -> dict[str, Any]:
    return {"columns": list(profiles), "profiles": [p.to_dict() for p in profiles.values()]}


def _flat_shape(inputs: list[str], output: str) -> str:
    names = [normalize_name(c) for c in inputs]
    out = normalize_name(output)
    if names[0] == "instruction" and out == "output" and names[1:] in ([], ["input"]):
        return "alpaca"
    if names == ["prompt"] and out == "completion":
        return "prompt_completion"
    return "instruction_response"


def _with_ignored(mapping: ColumnMapping, profiles: Mapping[str, ColumnProfile]) -> ColumnMapping:
    used = set(mapping.used)
    mapping.ignored = [name for name in profiles if name not in used]
    if mapping.ignored:
        described = ", ".join(f"'{n}' ({profiles[n].kind})" for n in mapping.ignored)
        mapping.reasons.append(f"not used for training: {described}")
    return mapping
