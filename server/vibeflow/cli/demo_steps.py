"""The stages of `vibeflow demo` (data → recommend → recipe → estimate → train → evaluate → deploy → call).

Every stage calls the same services as the matching CLI command, so the demo shows what the product does,
not a special path for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow.recipe.model import DEFAULT_BASE_MODEL

DEMO_TASK = "customer support replies"
# The demo's time budget on a 2-core CPU: 40 steps of 4 examples (160 of the ~900 training rows) are enough for
# SmolLM2-135M to adopt the replies' style (docs/benchmarks.md has the measured improvement and timings).
DEMO_MAX_STEPS = 40
# Held-out examples the demo evaluation generates for (base and tuned): enough for a bootstrap interval of the
# improvement; batched 32 at a time (CPU decoding is ~2x faster per token at 32 than at 8).
DEMO_EVAL_SAMPLE = 32
DEMO_EVAL_BATCH = 32
DEMO_QUESTION = "Hi, my order #4417 arrived with a cracked monitor stand. Can I get a replacement?"


@dataclass
class DemoState:
    """What the stages hand to each other (and what `--json` prints)."""

    workspace: Path
    versions: dict[str, Any] = field(default_factory=dict)
    train_stats: dict[str, Any] | None = None  # rows and exact token lengths of the train split
    recommendation: Any = None
    recipe_path: Path | None = None
    estimate: Any = None
    run: dict[str, Any] | None = None
    evaluation: dict[str, Any] | None = None
    deployment: dict[str, Any] | None = None
    answer: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per stage


def train_stats(state: DemoState) -> dict[str, Any]:
    """The train split's size and token lengths from its quality report (read once, used by two stages)."""
    from vibeflow.recommend.recipe_adapter import data_stats_from_report

    if state.train_stats is None:
        train = state.versions["train"]
        state.train_stats = data_stats_from_report(train.report or {}, rows=train.rows)
    return state.train_stats


def stage_recommend(state: DemoState) -> Any:
    """The recommender's answer for the demo data on this machine, with token lengths from its report."""
    from vibeflow.recommend.recommender import recommend

    stats = train_stats(state)
    state.recommendation = recommend(
        {
            "task": DEMO_TASK,
            "n_examples": stats["rows"],
            "avg_tokens_in": stats["avg_tokens_in"],
            "avg_tokens_out": stats["avg_tokens_out"],
            "priority": "accuracy",
            "target": "local",
        }
    )
    return state.recommendation


def demo_recipe_text(
    train_ref: str, recommendation: Any, max_steps: int, base_model: str = DEFAULT_BASE_MODEL
) -> str:
    """A starter recipe with the recommended settings for this data and machine, pointed at the train split."""
    from vibeflow.recipe.loader import parse_recipe
    from vibeflow.recipe.template import render_recipe, yaml_number

    text = render_recipe("vibeflow-demo", "balanced", None)
    text = re.sub(r"^base_model: .*$", f"base_model: {base_model}", text, count=1, flags=re.MULTILINE)
    text = re.sub(
        r"^  path: .*\n  # version: .*$",
        f"  version: {train_ref}   # the demo's fixed train split (its test sibling is held out)",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    hyper = recommendation.hyperparameters
    values = {
        "max_steps": f"{max_steps}   # the demo's time budget (the recommendation: {yaml_number(hyper.num_epochs)} epochs)",
        "learning_rate": f"{yaml_number(hyper.learning_rate)}   # recommended for this data and machine",
        "batch_size": str(hyper.batch_size),
        "gradient_accumulation": str(hyper.gradient_accumulation),
        "max_seq_length": str(hyper.max_seq_length),
    }
    for name, value in values.items():
        text = re.sub(rf"^  # {name}: .*$", f"  {name}: {value}", text, count=1, flags=re.MULTILINE)
    if hyper.lora_r:
        text = re.sub(r"^  # lora:\n  #   r: .*\n  #   alpha: .*$",
                      f"  lora:\n    r: {hyper.lora_r}\n    alpha: {hyper.lora_alpha}", text, count=1,
                      flags=re.MULTILINE)  # fmt: skip
    parse_recipe(text, "vibeflow.yaml")  # the demo recipe must itself be valid
    return text


def stage_recipe(
    state: DemoState, max_steps: int = DEMO_MAX_STEPS, base_model: str = DEFAULT_BASE_MODEL
) -> Path:
    """Write the demo recipe into the demo workspace (VibeFlow's own folder, never the user's)."""
    state.workspace.mkdir(parents=True, exist_ok=True)
    path = state.workspace / "vibeflow.yaml"
    text = demo_recipe_text(state.versions["train"].ref, state.recommendation, max_steps, base_model)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    state.recipe_path = path
    return path


def stage_estimate(state: DemoState) -> Any:
    """The estimator on the written recipe, with exact token lengths from the train split's report."""
    from vibeflow.recipe.loader import load_recipe
    from vibeflow.recommend.recipe_adapter import estimate_recipe

    recipe, file = load_recipe(state.recipe_path)
    state.estimate = estimate_recipe(recipe, stats=train_stats(state), base_dir=file.parent)
    return state.estimate


def stage_train(state: DemoState, show: bool) -> dict[str, Any]:
    """Create the run from the recipe and follow it to the end in this process."""
    from vibeflow.cli.runs_exec import follow_run, with_db
    from vibeflow.recipe.loader import load_recipe
    from vibeflow.runs.service import RunService

    recipe, path = load_recipe(state.recipe_path)

    async def work(db, settings):  # noqa: ANN001, ANN202
        async with db.session() as session:
            run_id = (await RunService(session, settings).create(recipe, recipe_path=path)).id
        return await follow_run(db, settings, run_id, wait=True, show=show)

    state.run = with_db(work)
    return state.run


def offline_note(recommendation: Any, base_model: str = DEFAULT_BASE_MODEL) -> str | None:
    """Why the demo trains another base than the recommended one, when they differ."""
    if recommendation.base_model == base_model:
        return None
    return (
        f"The demo trains {base_model} (--base-model) instead of the recommended {recommendation.model_name}."
    )


def stage_evaluate(state: DemoState, progress: Any = None, sample: int = DEMO_EVAL_SAMPLE) -> dict[str, Any]:
    """Base vs tuned on the held-out split, the same service `vibeflow eval RUN` uses."""
    from vibeflow.cli.runs_exec import with_db
    from vibeflow.evaluation.service import EvaluationService
    from vibeflow.evaluation.views import evaluation_detail

    async def work(db, settings):  # noqa: ANN001, ANN202
        service = EvaluationService(db, settings)
        options = {"sample": sample, "batch_size": DEMO_EVAL_BATCH}
        ev = await service.evaluate(state.run["id"], options=options, progress=progress)
        return evaluation_detail(*(await service.get(ev.id)))

    state.evaluation = with_db(work)
    return state.evaluation


def stage_deploy(state: DemoState) -> dict[str, Any]:
    """Deploy the run on the CPU engine behind the gateway (the backend starts in the background if needed)."""
    from vibeflow.cli.deploy_cmd import _call

    body = {"run": state.run["id"], "engine": "cpu", "create_key": True}
    state.deployment = _call("POST", "/api/deployments", start=True, json=body)
    return state.deployment


def stage_call(state: DemoState, question: str = DEMO_QUESTION) -> str:
    """Ask the deployed model one question with the official `openai` client, as a user's app would."""
    from openai import OpenAI

    dep = state.deployment
    client = OpenAI(base_url=dep["endpoint"], api_key=dep["api_key"]["key"], timeout=120, max_retries=1)
    reply = client.chat.completions.create(
        model=dep["model"], messages=[{"role": "user", "content": question}], max_tokens=40
    )
    state.answer = reply.choices[0].message.content or ""
    return state.answer
