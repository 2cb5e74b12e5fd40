"""What the brainstorm agent knows about the user's project, and a deterministic reader of chat messages.

Both modes (Gemini and offline) run every user message through `read_message`, so the facts — and therefore
"Let AI pick", the recipe and the offline fallback — never depend on the language model having understood.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from vibeflow.recommend.catalog import all_devices
from vibeflow.recommend.schemas import Priority

Question = Literal["task", "n_examples", "priority", "hardware"]
QUESTION_ORDER: tuple[Question, ...] = ("task", "n_examples", "priority", "hardware")

_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
_UNIT = r"(?:examples?|rows?|samples?|pairs?|records?|conversations?|dialogues?|tickets?|items?|lines?|emails?|q&as?)"
_NUMBER = r"(\d+(?:[.,_]\d+)*(?:\.\d+)?(?:\s*(?:\^|\*\*)\s*\d+|e\d+)?)"
EXAMPLES_RE = re.compile(
    _NUMBER + r"\s*(k|m|b|thousand|million|billion)?\s*(?:training\s+|labell?ed\s+|of\s+)?" + _UNIT + r"\b",
    re.IGNORECASE,
)
BARE_NUMBER_RE = re.compile(
    r"^\s*(?:about|around|~|roughly|maybe)?\s*" + _NUMBER + r"\s*(k|m|b|thousand|million)?\W*$", re.I
)
BUDGET_RE = re.compile(
    r"(?:\$\s*(\d+(?:[.,]\d+)?)(\s*k)?)|(?:(\d+(?:[.,]\d+)?)\s*(?:usd|dollars?|bucks)\b)"
    r"|(?:budget\s*(?:is|of|:|=)?\s*(?:\$\s*)?(\d+(?:[.,]\d+)?))",
    re.IGNORECASE,
)
TOKENS_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(k)?\s*tokens?\b", re.IGNORECASE)
PRIORITY_WORDS: dict[Priority, tuple[str, ...]] = {
    "accuracy": ("accura", "quality", "best result", "best model", "precise", "correct"),
    "cost": ("cheap", "cost", "budget-friendly", "low budget", "save money", "inexpensive", "affordable"),
    "speed": ("fast", "speed", "quick", "asap", "soon as possible", "hurry"),
}
LOCAL_WORDS = ("locally", "on my machine", "my laptop", "this machine", "no gpu", "without a gpu", "on cpu")
NO_PREFERENCE = (
    "not sure",
    "don't know",
    "dont know",
    "no idea",
    "you pick",
    "any gpu",
    "whatever",
    "cheapest",
)
GPU_MENTION_RE = re.compile(
    r"\b((?:rtx|gtx|tesla|nvidia|geforce)\s*[a-z]?\d{3,4}\w*|[ahlvt]\d{1,3}[a-z]?(?:[- ]?\d{2}\s*gb)?)\b",
    re.IGNORECASE,
)
TASK_HINT_RE = re.compile(
    r"\b(bot|assistant|classif|extract|summar|translat|generat|answer|support|chat|code|coding|sql|json|"
    r"repl(?:y|ies)|write|writing|tag|label|detect|sentiment|question|faq|agent|tutor|review|rewrite|email)\w*",
    re.IGNORECASE,
)


class Facts(BaseModel):
    """The inputs of the recommender, filled in as the conversation goes; None means not known yet."""

    task: str | None = None
    n_examples: int | None = None
    avg_tokens_in: float | None = None
    avg_tokens_out: float | None = None
    priority: Priority | None = None
    gpu: str | None = None
    budget_usd: float | None = None
    target: Literal["local", "cloud"] | None = None
    commercial_use: bool = False
    hardware_open: bool = Field(False, description="the user let us pick the hardware")
    dataset_version: str | None = None
    data_path: str | None = Field(
        None, description="a data file on this machine (absolute), sampled like `vibeflow estimate`"
    )
    dataset_stats: dict[str, Any] | None = None
    asked: list[str] = Field(default_factory=list)
    last_question: str | None = None
    problems: list[str] = Field(default_factory=list, description="inputs we could not use, with why")

    def missing(self) -> list[Question]:
        out: list[Question] = []
        if not self.task:
            out.append("task")
        if self.n_examples is None:
            out.append("n_examples")
        if self.priority is None:
            out.append("priority")
        if not (self.gpu or self.budget_usd is not None or self.target or self.hardware_open):
            out.append("hardware")
        return out

    def request(self, defaults: bool = False) -> dict[str, Any]:
        """Arguments for `recommend()`; with `defaults`, unknown facts take documented defaults."""
        stats = self.dataset_stats or {}
        req: dict[str, Any] = {
            "task": self.task or ("general chat assistant" if defaults else ""),
            "n_examples": self.n_examples if self.n_examples is not None else (1000 if defaults else 0),
            "avg_tokens_in": self.avg_tokens_in or stats.get("avg_tokens_in") or 150.0,
            "avg_tokens_out": self.avg_tokens_out or stats.get("avg_tokens_out") or 150.0,
            "priority": self.priority or "accuracy",
            "commercial_use": self.commercial_use,
        }
        if self.gpu:
            req["gpu"] = self.gpu
        if self.budget_usd is not None and self.target != "local" and self.gpu != "cpu":
            req["budget_usd"] = self.budget_usd  # a budget does not constrain free local training
        if self.target:
            req["target"] = self.target
        return req

    def assumed(self) -> list[str]:
        """What `request(defaults=True)` assumed, in words (shown to the user)."""
        notes = []
        if not self.task:
            notes.append("task: a general chat assistant")
        if self.n_examples is None:
            notes.append("data size: 1,000 examples")
        if self.priority is None:
            notes.append("priority: accuracy")
        if not (self.gpu or self.budget_usd is not None or self.target):
            notes.append("hardware: the cloud GPU that suits the priority best")
        if self.avg_tokens_in is None and not self.dataset_stats:
            notes.append("length: ~150 prompt + ~150 response tokens per example")
        return notes


def _number(text: str, suffix: str | None = None) -> float:
    text = text.replace(",", "").replace("_", "").replace(" ", "")
    if "^" in text or "**" in text:
        base, _, exp = text.replace("**", "^").partition("^")
        value = float(base) ** float(exp)
    else:
        value = float(text)
    return value * _MULT.get((suffix or "").strip().lower(), 1.0)


def find_devices(text: str) -> tuple[str | None, str | None]:
    """(catalog device id, unknown GPU name) mentioned in a text."""
    low = f" {text.lower()} "
    squashed = re.sub(r"[\s_]+", "-", low)
    best: tuple[int, str] | None = None
    for device in all_devices():
        if device.id == "cpu":
            continue
        for alias in {device.id, *device.aliases}:
            key = alias.lower().replace(" ", "-").replace("_", "-")
            for form in {key, key.replace("-", "")}:
                if len(form) < 2:
                    continue
                for haystack in (low, squashed):
                    found = re.search(r"(?<![a-z0-9])" + re.escape(form) + r"(?![a-z0-9])", haystack)
                    if found and (best is None or len(form) > best[0]):
                        best = (len(form), device.id if not _ambiguous(form) else alias.upper())
    if best:
        return best[1], None
    mention = GPU_MENTION_RE.search(text)
    if mention and re.search(r"\bgpu|card|rtx|gtx|nvidia|have\b", low):
        return None, mention.group(1)
    return None, None


def _ambiguous(alias: str) -> bool:
    return alias.replace("-", "") in {"a100"}


def read_message(text: str, facts: Facts) -> Facts:
    """A copy of `facts` updated with whatever the message states (numbers, priority, GPU, budget, task)."""
    new = facts.model_copy(deep=True)
    new.problems = []
    message = " ".join((text or "").split())
    low = message.lower()
    if not message:
        return new
    # data size
    match = EXAMPLES_RE.search(message)
    bare = BARE_NUMBER_RE.match(message) if facts.last_question == "n_examples" else None
    for found in (match, bare):
        if found:
            try:
                value = _number(found.group(1), found.group(2))
            except (ValueError, OverflowError):
                continue
            new.n_examples = int(min(value, 1e18))
            break
    # priority
    hits = [p for p, words in PRIORITY_WORDS.items() if any(w in low for w in words)]
    if len(hits) == 1:
        new.priority = hits[0]
    elif len(hits) > 1:  # "cheap but accurate": the first one mentioned wins
        new.priority = min(hits, key=lambda p: min(low.find(w) for w in PRIORITY_WORDS[p] if w in low))
    # hardware and budget
    budget = BUDGET_RE.search(message)
    if budget:
        raw = budget.group(1) or budget.group(3) or budget.group(4)
        new.budget_usd = _number(raw) * (1000 if budget.group(2) else 1)
    device, unknown = find_devices(message)
    if any(w in low for w in LOCAL_WORDS) or re.search(r"\bcpu\b", low):
        new.gpu, new.target = "cpu", "local"
    elif device:
        new.gpu, new.target = device, None
    elif unknown:
        new.problems.append(f"gpu:{unknown}")
        new.gpu = unknown  # kept so the recommender answers with its clear "unknown GPU" error and fix
    if any(w in low for w in NO_PREFERENCE) and facts.last_question == "hardware":
        new.hardware_open = True
    if "commercial" in low:
        new.commercial_use = "non-commercial" not in low and "not commercial" not in low
    tokens = TOKENS_RE.findall(message)
    if tokens and not new.dataset_stats:
        values = [_number(v, k) for v, k in tokens]
        if len(values) >= 2:
            new.avg_tokens_in, new.avg_tokens_out = values[0], values[1]
        else:
            new.avg_tokens_in = new.avg_tokens_out = values[0] / 2
    # task: the first message that describes one (or the answer to "what should it do?")
    if not new.task:
        words = re.findall(r"[A-Za-z]{2,}", message)
        if (
            facts.last_question == "task"
            and len(words) >= 1
            or (TASK_HINT_RE.search(message) and len(words) >= 3)
        ):
            new.task = message[:300]
    return new
