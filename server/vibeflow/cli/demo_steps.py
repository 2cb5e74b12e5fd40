"""The stages of `vibeflow demo` (data → recommend → recipe → estimate → train → evaluate → deploy → call).

Every stage calls the same services as the matching CLI command, so the demo shows what the product does,
not a special path for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vibeflow.recipe.model import DEMO_BASE_MODEL

DEMO_TASK = "customer support replies"
# The offline demo trains the demo base on CPU; capping steps keeps training around a minute.
DEMO_MAX_STEPS = 60
# Held-out examples the demo evaluation generates for (base and tuned); the full split works too, just slower.
DEMO_EVAL_SAMPLE = 16
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


def demo_recipe_text(train_ref: str, recommendation: Any, max_steps: int) -> str:
    """A starter recipe on the demo base model using the recommended learning rate, pointed at the train split."""
    from vibeflow.recipe.loader import parse_recipe
    from vibeflow.recipe.template import render_recipe, yaml_number

    text = render_recipe("vibeflow-demo", "balanced", None)
    text = re.sub(
        r"^  path: .*\n  # version: .*$",
        f"  version: {train_ref}   # the demo's fixed train split (its test sibling is held out)",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    text = re.sub(
        r"^  # max_steps: .*$",
        f"  max_steps: {max_steps}   # demo: keep it about a minute",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    lr = recommendation.hyperparameters.learning_rate
    text = re.sub(
        r"^  # learning_rate: .*$",
        f"  learning_rate: {yaml_number(lr)}   # recommended for this data",
        text,
        count=1,
        flags=re.MULTILINE,
    )
    parse_recipe(text, "vibeflow.yaml")  # the demo recipe must itself be valid
    return text


def stage_recipe(state: DemoState, max_steps: int = DEMO_MAX_STEPS) -> Path:
    """Write the demo recipe into the demo workspace (VibeFlow's own folder, never the user's)."""
    state.workspace.mkdir(parents=True, exist_ok=True)
    path = state.workspace / "vibeflow.yaml"
    text = demo_recipe_text(state.versions["train"].ref, state.recommendation, max_steps)
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


def offline_note(recommendation: Any) -> str | None:
    """Why the demo trains the demo base instead of the recommended model, when they differ."""
    if recommendation.base_model == DEMO_BASE_MODEL:
        return None
    return (
        f"Offline default: the demo trains {DEMO_BASE_MODEL} (a small random-init base, same code path) "
        f"instead of {recommendation.model_name}, which needs the Hugging Face Hub."
    )


def stage_evaluate(state: DemoState, progress: Any = None, sample: int = DEMO_EVAL_SAMPLE) -> dict[str, Any]:
    """Base vs tuned on the held-out split, the same service `vibeflow eval RUN` uses."""
    from vibeflow.cli.runs_exec import with_db
    from vibeflow.evaluation.service import EvaluationService
    from vibeflow.evaluation.views import evaluation_detail

    async def work(db, settings):  # noqa: ANN001, ANN202
        service = EvaluationService(db, settings)
        ev = await service.evaluate(state.run["id"], options={"sample": sample}, progress=progress)
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
