"""`vibeflow recommend`, `vibeflow estimate` and `vibeflow catalog`: the recommender and estimator from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vibeflow.cli.output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recommend",
        help="recommend base model, method, hyperparameters and hardware",
        description="Recommend a base model, method (full/LoRA/QLoRA), hyperparameters and hardware "
        "with estimated cost, time and memory, and explain why.",
    )
    p.add_argument("--task", required=True, help="what the model should do, e.g. 'customer support replies'")
    p.add_argument("--examples", type=int, required=True, help="number of training examples you have")
    p.add_argument(
        "--tokens-in", type=float, default=150.0, help="mean prompt tokens per example (default 150)"
    )
    p.add_argument(
        "--tokens-out", type=float, default=150.0, help="mean response tokens per example (default 150)"
    )
    p.add_argument("--priority", choices=("accuracy", "speed", "cost"), default="accuracy")
    hw = p.add_mutually_exclusive_group()
    hw.add_argument("--gpu", help="the GPU you will use (A100-80GB, L40S, RTX4090, cpu …)")
    hw.add_argument("--budget", type=float, help="most you want to spend on this run, in USD")
    p.add_argument("--local", action="store_true", help="train on this machine (no cloud rental)")
    p.add_argument(
        "--commercial", action="store_true", help="only models whose licence allows commercial use"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_recommend)

    p = sub.add_parser(
        "estimate",
        help="estimate memory, time and cost of a recipe",
        description="Estimate peak memory, wall time and cost of vibeflow.yaml (or of the given "
        "settings), with a range, a confidence and tips to reduce cost.",
    )
    p.add_argument(
        "recipe", nargs="?", type=Path, help="vibeflow.yaml (default: ./vibeflow.yaml when present)"
    )
    p.add_argument("--gpu", help="estimate on this device instead of the recipe's (cpu, A100-80GB …)")
    p.add_argument("--model", help="base model (without a recipe; default vibeflow-demo-tiny)")
    p.add_argument("--method", choices=("lora", "qlora", "full"))
    p.add_argument("--examples", type=int, help="training examples (overrides the data file's count)")
    p.add_argument("--tokens-in", type=float, help="mean prompt tokens per example")
    p.add_argument("--tokens-out", type=float, help="mean response tokens per example")
    p.add_argument("--epochs", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seq-len", type=int, help="max_seq_length")
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="first calibrate this CPU: five short trainer runs on the default base, SmolLM2-135M-Instruct "
        "(about 3–4 minutes on 2 cores; progress on stderr)",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_estimate)

    p = sub.add_parser("catalog", help="list the base models or GPUs the recommender knows")
    p.add_argument("what", choices=("models", "gpus"))
    add_json_flag(p)
    p.set_defaults(handler=cmd_catalog)


def cmd_recommend(args: argparse.Namespace) -> int:
    from vibeflow.recommend.recommender import recommend
    from vibeflow.recommend.render import render_recommendation

    rec = recommend(
        {
            "task": args.task,
            "n_examples": args.examples,
            "avg_tokens_in": args.tokens_in,
            "avg_tokens_out": args.tokens_out,
            "priority": args.priority,
            "gpu": args.gpu,
            "budget_usd": args.budget,
            "target": "local" if args.local else None,
            "commercial_use": args.commercial,
        }
    )
    print_json(rec.model_dump(mode="json")) if args.json else print(render_recommendation(rec))
    return 0


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    fields = {
        "base_model": args.model,
        "method": args.method,
        "num_epochs": args.epochs,
        "batch_size": args.batch_size,
        "max_seq_length": args.seq_len,
    }
    return {key: value for key, value in fields.items() if value is not None}


def cmd_estimate(args: argparse.Namespace) -> int:
    from vibeflow.recommend.estimator import estimate
    from vibeflow.recommend.recipe_adapter import estimate_recipe, request_from_recipe
    from vibeflow.recommend.render import render_estimate

    if args.calibrate:
        from vibeflow.recommend.cpu_calibrate import calibrate_cpu

        say = None if args.json else (lambda text: print(text, file=sys.stderr))
        profile = calibrate_cpu(progress=say)
        if not args.json:
            print(
                f"calibrated this CPU on {profile['model']}: {profile['flops_per_s'] / 1e9:.1f} GFLOP/s sustained "
                f"(LoRA), {profile['flops_per_s_full'] / 1e9:.1f} GFLOP/s (full), "
                f"{profile['step_s'] * 1000:.0f} ms per step overhead (fit error {profile['fit_error']:.0%})",
                file=sys.stderr,
            )
    stats = None
    if args.examples is not None:
        stats = {
            "rows": args.examples,
            "avg_tokens_in": args.tokens_in or 100.0,
            "avg_tokens_out": args.tokens_out or 100.0,
        }
    recipe_path = args.recipe or (Path("vibeflow.yaml") if Path("vibeflow.yaml").is_file() else None)
    if recipe_path is not None:
        from vibeflow.recipe.loader import load_recipe

        recipe, file = load_recipe(recipe_path)
        if stats is None and recipe.data.version:  # a stored dataset: exact sizes from its quality report
            from vibeflow.recommend.agent.datasets import dataset_stats_sync

            stats = {k: v for k, v in dataset_stats_sync(recipe.data.version).items() if k != "ref"}
        result = estimate_recipe(
            recipe, stats=stats, base_dir=file.parent, device=args.gpu, overrides=_overrides(args)
        )
    else:
        if args.examples is None:
            from vibeflow.recommend.errors import InvalidRequestError

            raise InvalidRequestError(
                "nothing to estimate: no vibeflow.yaml here and no --examples",
                fix="run it in a folder with vibeflow.yaml, pass the recipe path, or give "
                "--examples N (with --model, --method, --gpu …)",
            )
        request = request_from_recipe(
            {
                **_overrides(args),
                "device": args.gpu or "cpu",
                "n_examples": args.examples,
                "avg_tokens_in": args.tokens_in or 100.0,
                "avg_tokens_out": args.tokens_out or 100.0,
            }
        )
        result = estimate(request)
    print_json(result.model_dump(mode="json")) if args.json else print(render_estimate(result))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from vibeflow.recommend import catalog
    from vibeflow.recommend.render import render_gpus, render_models

    if args.what == "models":
        items = list(catalog.models())
        print_json([m.model_dump(mode="json") for m in items]) if args.json else print(render_models(items))
    else:
        devices = catalog.all_devices()
        print_json([g.model_dump(mode="json") for g in devices]) if args.json else print(render_gpus(devices))
    return 0
