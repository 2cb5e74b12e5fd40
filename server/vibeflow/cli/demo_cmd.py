"""`vibeflow demo`: the main job on the offline default — data, recommendation, estimate and training, end to end."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from vibeflow.cli.async_runner import with_service
from vibeflow.cli.demo_steps import (
    DEMO_MAX_STEPS,
    DEMO_QUESTION,
    DemoState,
    offline_note,
    stage_call,
    stage_deploy,
    stage_estimate,
    stage_evaluate,
    stage_recipe,
    stage_recommend,
    stage_train,
)
from vibeflow.cli.output import EXIT_ERROR, add_json_flag, print_json, progress_printer, runnable
from vibeflow.cli.render import render_report, render_version
from vibeflow.recipe.model import DEFAULT_BASE_MODEL

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEFAULT_EXAMPLE = EXAMPLES / "support.csv"
DEMO_FIXES = [
    "drop_missing",
    "dedup_exact",
    "dedup_near",
    "drop_over_context",
    "normalize_whitespace",
    "repair_mojibake",
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on a bundled example (offline)",
        description="Import a bundled example dataset and print its quality report, write the fixed "
        "version and an 80/20 split, print the recommendation and the estimate, then train the offline "
        "demo base model on it and print the adapter's path. Everything runs offline.",
    )
    p.add_argument(
        "--data", type=Path, default=DEFAULT_EXAMPLE, help=f"data file (default {DEFAULT_EXAMPLE.name})"
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--max-steps", type=int, default=DEMO_MAX_STEPS, help=f"training steps (default {DEMO_MAX_STEPS})"
    )
    p.add_argument(
        "--base-model",
        default=DEFAULT_BASE_MODEL,
        help=f"base model to train (default {DEFAULT_BASE_MODEL}, offline); a catalog id, Hub id or model directory",
    )
    p.add_argument("--no-train", action="store_true", help="stop after the recommendation and estimate")
    p.add_argument("--no-deploy", action="store_true", help="stop after training and evaluation")
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)


_TIMES: list[tuple[str, float]] = []  # (stage title, time.monotonic() when it began)


def _stage(title: str, enabled: bool) -> None:
    _TIMES.append((title, time.monotonic()))
    if enabled:
        print(f"\n━━ {title} " + "━" * max(0, 60 - len(title)), flush=True)


def _data_stage(args: argparse.Namespace, state: DemoState) -> None:
    from vibeflow.data.versions import ReportOptions, version_summary

    progress = progress_printer(not args.json)

    async def work(service):  # noqa: ANN001, ANN202
        imported = await service.import_file(
            args.data, options=ReportOptions(model=args.base_model), progress=progress
        )
        fixed = await service.fix(imported.id, DEMO_FIXES, progress=progress)
        train, test = await service.split(fixed.id, test_fraction=0.2, seed=args.seed, progress=progress)
        return {"imported": imported, "fixed": fixed, "train": train, "test": test}

    state.versions = with_service(work)
    if args.json:
        return
    imported, fixed = state.versions["imported"], state.versions["fixed"]
    print(render_report({**imported.report, "source_path": str(args.data)}))
    print()
    for name, version in state.versions.items():
        print(render_version(f"{name:<8}", version_summary(version)))
    print(f"\nFixes: {fixed.report.get('fixes_applied')}")


def cmd_demo(args: argparse.Namespace) -> int:
    from vibeflow.recommend.render import render_estimate, render_recommendation
    from vibeflow.settings import load_settings

    show = not args.json
    state = DemoState(workspace=load_settings().home / "demo-workspace")
    _stage("1. Data: import, quality report, fixes, split", show)
    _data_stage(args, state)
    _stage("2. Recommendation for this data on this machine", show)
    recommendation = stage_recommend(state)
    if show:
        print(render_recommendation(recommendation))
        note = offline_note(recommendation, args.base_model)
        if note:
            print(f"\n{note}")
    recipe_path = stage_recipe(state, max_steps=args.max_steps, base_model=args.base_model)
    _stage(f"3. Estimate for {recipe_path}", show)
    estimate = stage_estimate(state)
    if show:
        print(render_estimate(estimate))
    if not args.no_train:
        _stage("4. Training (Ctrl-C stops it gracefully)", show)
        os.environ["VIBEFLOW_AUTO_EVAL"] = "0"  # the demo evaluates in the foreground next
        run = stage_train(state, show)
        if show:
            from vibeflow.cli.runs_render import render_run

            print(render_run(run))
        if run["status"] != "completed":
            if args.json:
                print_json(_demo_json(state))
            return EXIT_ERROR
        if show:
            print(f"\nAdapter: {run.get('adapter_path') or run.get('output_dir')}")
        if not _evaluate_stage(state, show):
            if args.json:
                print_json(_demo_json(state))
            return EXIT_ERROR
        if not args.no_deploy:
            _deploy_stage(state, show)
    state.timings = stage_timings()
    if args.json:
        print_json(_demo_json(state))
    elif not args.no_train:
        print(
            "\nWall time by stage: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in state.timings.items())
        )
        print(
            f"\nNext: open {state.workspace} in VS Code, or inspect the run with: "
            + runnable(f"vibeflow runs show {state.run['id']}")
        )
    return 0


def _evaluate_stage(state: DemoState, show: bool) -> bool:
    from vibeflow.cli.eval_cmd import _Bar
    from vibeflow.evaluation.render import render_text

    _stage("5. Evaluation: tuned vs base on the held-out split", show)
    bar = _Bar(show)
    try:
        detail = stage_evaluate(state, progress=bar)
    finally:
        bar.close()
    if show:
        print(render_text(detail, command=runnable))
    return detail["status"] == "completed"


def _deploy_stage(state: DemoState, show: bool) -> None:
    _stage("6. Deployment on the CPU engine behind the OpenAI-compatible gateway", show)
    dep = stage_deploy(state)
    if show:
        print(f"deployment {dep['name']} is {dep['status']}: {dep['endpoint']} (model {dep['model']})")
        print(f"API key (shown once): {dep['api_key']['key']}")
    _stage("7. Calling the endpoint with the official openai client", show)
    answer = stage_call(state)
    if show:
        print(f"Q: {DEMO_QUESTION}\nA: {answer!r}")
        print(
            "\nThe endpoint stays up (backend log: $VIBEFLOW_HOME/serve.log). "
            "Stop it with: " + runnable(f"vibeflow deployments stop {dep['name']}")
        )


def stage_timings() -> dict[str, float]:
    """Seconds spent in each stage so far (the stage's number and first word as its name)."""
    ends = [start for _, start in _TIMES[1:]] + [time.monotonic()]
    out: dict[str, float] = {}
    for (title, start), end in zip(_TIMES, ends, strict=True):
        name = title.split(":")[0].split(" (")[0].removesuffix(" for") if title else title
        name = " ".join(name.split()[:2])
        out[name] = round(out.get(name, 0.0) + end - start, 1)
    return out


def _demo_json(state: DemoState) -> dict:
    from vibeflow.data.versions import version_summary

    return {
        "versions": {name: {**version_summary(v), "report": v.report} for name, v in state.versions.items()},
        "recommendation": state.recommendation.model_dump(mode="json") if state.recommendation else None,
        "recipe_path": str(state.recipe_path) if state.recipe_path else None,
        "estimate": state.estimate.model_dump(mode="json") if state.estimate else None,
        "run": state.run,
        "evaluation": state.evaluation,
        "deployment": state.deployment,
        "answer": state.answer,
        "timings_s": state.timings,
    }
