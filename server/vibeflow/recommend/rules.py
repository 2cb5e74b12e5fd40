"""The decision tables users expect (from the product documents), extended where they are silent.

Learning rate by dataset size and method, epochs by dataset size, LoRA rank by task complexity, effective
batch by dataset size, model size bands by task complexity and priority. Every function returns the value
and the plain-English reason shown under "Why these settings?".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from vibeflow.recommend.catalog import ModelSpec

# keyword stems -> (task tag matched against the catalog's good_for, complexity)
TASK_KEYWORDS: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "code",
        "complex",
        (
            "code",
            "coding",
            "program",
            "sql",
            "python",
            "javascript",
            "typescript",
            "function",
            "refactor",
            "debug",
            "bug",
        ),
    ),
    ("math", "complex", ("math", "arithmetic", "equation", "proof", "calculat")),
    ("reasoning", "complex", ("reason", "logic", "plan", "analys", "analyz", "legal", "medical", "diagnos")),
    (
        "customer-support",
        "medium",
        ("support", "customer", "helpdesk", "help desk", "ticket", "faq", "refund"),
    ),
    ("summarization", "medium", ("summar", "tl;dr", "digest", "abstract", "condense")),
    (
        "multilingual",
        "medium",
        ("translat", "multilingual", "language", "spanish", "french", "german", "chinese", "japanese"),
    ),
    ("qa", "medium", ("question", "answer", "q&a", "knowledge", "documentation", "docs", "retriev")),
    (
        "writing",
        "medium",
        ("writ", "story", "creative", "copy", "marketing", "email", "blog", "poem", "tone", "style"),
    ),
    ("structured-output", "simple", ("json", "structured", "schema", "yaml", "xml", "format")),
    ("extraction", "simple", ("extract", "parse", "entity", "entities", "ner", "fields", "invoice")),
    (
        "classification",
        "simple",
        ("classif", "label", "categor", "sentiment", "intent", "spam", "moderat", "tag"),
    ),
    ("chat", "medium", ("chat", "assistant", "conversation", "bot", "persona", "reply", "replies")),
]
COMPLEXITY_ORDER = {"simple": 0, "medium": 1, "complex": 2}

# (min, max) parameters in billions per complexity and priority.
SIZE_BANDS = {
    "simple": {"accuracy": (1.0, 9.5), "cost": (0.3, 2.0), "speed": (0.1, 1.6)},
    "medium": {"accuracy": (3.0, 9.5), "cost": (1.0, 4.0), "speed": (0.4, 3.5)},
    "complex": {"accuracy": (7.0, 15.0), "cost": (3.0, 8.5), "speed": (1.4, 8.5)},
}
# More data can feed a bigger model: with accuracy priority the upper bound grows with the dataset.
ACCURACY_CEILING_BY_DATA = (
    (10_000, {"medium": 15.0, "complex": 35.0}),
    (100_000, {"simple": 15.0, "medium": 75.0, "complex": 75.0}),
)


@dataclass(frozen=True)
class TaskProfile:
    tags: tuple[str, ...]
    complexity: str
    matched: tuple[str, ...]
    label: str


def classify_task(task: str) -> TaskProfile:
    """Tags and complexity of a free-text task; the most complex matched tag decides the complexity."""
    text = task.lower()
    found: list[tuple[int, str, str]] = []  # (first position in the text, tag, complexity)
    matched: list[str] = []
    for tag, level, stems in TASK_KEYWORDS:
        positions = [(m.start(), s) for s in stems for m in [re.search(r"\b" + re.escape(s), text)] if m]
        if positions:
            found.append((min(p for p, _ in positions), tag, level))
            matched.extend(s for _, s in sorted(positions))
    if not found:
        return TaskProfile(tags=("chat",), complexity="medium", matched=(), label="general chat")
    found.sort()
    primary, complexity = found[0][1], found[0][2]
    if any(level == "complex" for _, _, level in found):
        complexity = "complex"  # a hard aspect anywhere in the description makes the task hard
    tags = tuple(tag for _, tag, _ in found)
    return TaskProfile(
        tags=tags, complexity=complexity, matched=tuple(matched), label=primary.replace("-", " ")
    )


def size_bucket(n: int) -> str:
    if n < 1_000:
        return "small"
    if n < 10_000:
        return "medium"
    if n < 100_000:
        return "large"
    return "very large"


def size_band(complexity: str, priority: str, n: int) -> tuple[float, float]:
    low, high = SIZE_BANDS[complexity][priority]
    if priority == "accuracy":
        for threshold, ceilings in ACCURACY_CEILING_BY_DATA:  # 100K+ → up to 70B (product rule)
            if n >= threshold:
                high = max(high, ceilings.get(complexity, high))
    return low, high


SMALL_MODEL_B = 0.5
SMALL_MODEL_LORA_LR = 1e-3
CPU_MAX_BATCH = 4


def learning_rate(n: int, method: str, model: ModelSpec) -> tuple[float, str]:
    """Product table: LoRA 5e-4 (<10K), 2e-4 (10K–100K), 1e-4 (100K+); full 1e-4 / 5e-5 / 2e-5 / 1e-5."""
    bucket = size_bucket(n)
    if method == "full":
        lr = {"small": 1e-4, "medium": 5e-5, "large": 2e-5, "very large": 1e-5}[bucket]
    else:
        lr = {"small": 5e-4, "medium": 5e-4, "large": 2e-4, "very large": 1e-4}[bucket]
    why = (
        f"the product table's value for {'full fine-tuning' if method == 'full' else 'LoRA'} on a {bucket} "
        f"dataset ({n:,} examples)"
    )
    if model.params_b >= 30:
        lr /= 2
        why += ", halved because models of 30B+ parameters are more sensitive to large steps"
    elif method != "full" and model.params_b < SMALL_MODEL_B and lr < SMALL_MODEL_LORA_LR:
        lr = SMALL_MODEL_LORA_LR
        why = (
            f"LoRA on a model under {SMALL_MODEL_B:g}B parameters takes a larger step: "
            f"{SMALL_MODEL_LORA_LR:g} (measured on SmolLM2-135M: the tuned model adopts the data's style within "
            "160 examples, see docs/benchmarks.md)"
        )
    return lr, why


def cpu_batch(largest: int, effective: int) -> tuple[int, str]:
    """On a CPU the per-device batch stays small and there is no accumulation (updates per minute matter)."""
    batch = max(1, min(largest, effective, CPU_MAX_BATCH))
    return batch, (
        f"batch {batch} with no accumulation: on a CPU tokens/s peaks at small batches (measured 230 tokens/s at "
        f"batch 4 vs 169 at batch 8 for SmolLM2-135M on 2 cores), and more, smaller updates learn more per minute"
    )


def epochs(n: int, priority: str) -> tuple[float, str]:
    """Product table: <1K 5–10, 1K–10K 3–5, 10K+ 1–2 (accuracy takes the upper end, cost/speed the lower)."""
    accurate = priority == "accuracy"
    if n < 1_000:
        value, span = (8 if accurate else 5), "5–10 (small data needs more passes)"
    elif n < 10_000:
        value, span = (4 if accurate else 3), "3–5 (the sweet spot)"
    elif n < 100_000:
        value, span = (2 if accurate else 1), "1–2 (avoid overfitting)"
    else:
        value, span = 1, "1 (the data is large enough)"
    return float(value), f"{n:,} examples → the product table suggests {span}; {priority} priority → {value}"


def lora_rank(complexity: str, n: int, priority: str) -> tuple[int, str]:
    """Rank by task complexity (support 8–16, technical 16, code 32), bounded by data size and priority."""
    rank = {"simple": 8, "medium": 16, "complex": 32}[complexity]
    why = f"{complexity} task → rank {rank} (8 for simple tasks, 16 for most, 32 for code/maths)"
    if n < 1_000 and rank > 16:
        rank, why = 16, why + "; capped at 16 because under 1K examples a large adapter overfits"
    elif priority in ("speed", "cost") and rank > 16:
        rank, why = 16, why + f"; capped at 16 for {priority}"
    elif priority == "accuracy" and n >= 100_000 and rank < 64:
        rank, why = rank * 2, why + "; doubled: 100K+ examples can use the extra capacity"
    return rank, why


def effective_batch(n: int) -> int:
    return 8 if n < 1_000 else 16 if n < 100_000 else 32


def warmup_ratio(n: int) -> float:
    return 0.1 if n < 1_000 else 0.05 if n < 10_000 else 0.03


def lora_dropout(n: int) -> float:
    return 0.1 if n < 1_000 else 0.05


def seq_length(avg_in: float, avg_out: float, model: ModelSpec) -> int:
    """Next power of two above 1.5x the mean example (headroom for longer rows), 256 at least."""
    need = 1.5 * (avg_in + avg_out + 10)
    length = 2 ** max(8, math.ceil(math.log2(max(need, 1))))
    return int(min(length, model.context_length))


def target_modules(model: ModelSpec, priority: str) -> tuple[list[str], str]:
    if priority == "accuracy":
        return list(
            model.lora_target_modules
        ), "all linear layers: closest to full fine-tuning quality (QLoRA paper)"
    attention = [m for m in model.lora_target_modules if m in ("q_proj", "v_proj", "qkv_proj")]
    return attention or list(
        model.lora_target_modules
    ), f"attention projections only: fewer trainable parameters, faster and cheaper ({priority} priority)"


def preset_for(priority: str, complexity: str, n: int) -> str:
    if priority in ("cost", "speed") or n < 1_000:
        return "conservative"
    if complexity == "complex" and n >= 10_000:
        return "aggressive"
    return "balanced"
