"""CLI subcommands for cloud GPUs through SkyPilot: setup, check, plan, stop-server, serve-task."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vibeflow.cli.output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    cloud = sub.add_parser("cloud", help="cloud GPUs through SkyPilot: setup, check, plan")
    cloud_sub = cloud.add_subparsers(dest="cloud_command", metavar="SUBCOMMAND")

    p = cloud_sub.add_parser(
        "setup",
        help="create the SkyPilot virtual environment (pinned version; idempotent)",
        description="Install SkyPilot into its own virtual environment ($VIBEFLOW_SKY_VENV, default "
        "$VIBEFLOW_HOME/sky-venv): its dependencies conflict with transformers'.",
    )
    p.add_argument(
        "--clouds", help="cloud SDK extras to install as well, e.g. aws,gcp,runpod (skypilot[aws,gcp,runpod])"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_setup)

    p = cloud_sub.add_parser("check", help="which clouds SkyPilot can use, and how to enable more")
    p.add_argument("--clouds", help="comma-separated clouds to check (default: the common GPU clouds)")
    p.add_argument(
        "--sky-cli", action="store_true", help="run the real `sky check` (starts SkyPilot's local API server)"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_check)

    p = cloud_sub.add_parser(
        "plan",
        help="SkyPilot optimizer dry run: cloud/region/instance, $/hour, estimated total",
        description="Run SkyPilot's optimizer on the recipe's compute block without launching anything. "
        "--offline-clouds lambda,runpod uses the dated catalog copy shipped with VibeFlow and treats those "
        "clouds as enabled (no credentials or network needed).",
    )
    p.add_argument(
        "recipe", nargs="?", type=Path, help="vibeflow.yaml or its folder (default: current folder)"
    )
    p.add_argument(
        "--offline-clouds", help="plan offline against the shipped catalog with these clouds enabled"
    )
    p.add_argument("--gpu", help="override compute.gpu")
    p.add_argument("--on-demand", action="store_true", help="plan on-demand instead of spot")
    add_json_flag(p)
    p.set_defaults(handler=cmd_plan)

    p = cloud_sub.add_parser("stop-server", help="stop the local SkyPilot API server(s) VibeFlow started")
    add_json_flag(p)
    p.set_defaults(handler=cmd_stop_server)

    p = cloud_sub.add_parser(
        "serve-task",
        help="write and validate a SkyServe task (vLLM, OpenAI-compatible) for a finished run",
        description="Generates RUN_DIR/sky-serve.yaml serving the run's base model with its adapter and has "
        "SkyPilot validate it, for launching by hand with `sky serve up`. `vibeflow deploy RUN --cloud` launches "
        "it and registers it behind the gateway.",
    )
    p.add_argument("run", help="run id (or a unique prefix)")
    p.add_argument("--gpu", default="L4", help="GPU for the replicas (default L4)")
    p.add_argument("--replicas", type=int, default=1)
    add_json_flag(p)
    p.set_defaults(handler=cmd_serve_task)


def cmd_setup(args: argparse.Namespace) -> int:
    from vibeflow.cloud.env import SKYPILOT_VERSION, setup, venv_dir

    if not args.json:
        print(
            f"setting up SkyPilot {SKYPILOT_VERSION} in {venv_dir()} (a few minutes the first time)…",
            file=sys.stderr,
        )
    extras = [c.strip() for c in args.clouds.split(",") if c.strip()] if args.clouds else None
    env, created = setup(extras=extras)
    out = {"venv": str(env.path), "skypilot": env.version, "created": created, "python": str(env.python)}
    print_json(out) if args.json else print(
        f"SkyPilot {env.version} {'installed' if created else 'ready'}: {env.path}"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from vibeflow.cloud.check import check_clouds, render_check

    clouds = [c.strip() for c in args.clouds.split(",")] if args.clouds else None
    result = check_clouds(clouds, sky_cli=args.sky_cli)
    print_json(result) if args.json else print(render_check(result))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from vibeflow.cloud.plan import plan, render
    from vibeflow.recipe.loader import load_recipe
    from vibeflow.recipe.model import Recipe

    recipe, path = load_recipe(args.recipe)
    data: dict[str, Any] = recipe.model_dump(mode="json")
    if args.gpu:
        data["compute"]["gpu"] = args.gpu
    if args.on_demand:
        data["compute"]["spot"] = False
    offline = [c.strip() for c in args.offline_clouds.split(",")] if args.offline_clouds else None
    result = plan(Recipe.model_validate(data), path.parent, offline=offline)
    print_json(result) if args.json else print(render(result))
    return 0


def cmd_stop_server(args: argparse.Namespace) -> int:
    from vibeflow.cloud.skycli import stop_api_servers

    stopped = stop_api_servers()
    print_json({"stopped_process_groups": stopped}) if args.json else print(
        f"stopped {len(stopped)} SkyPilot API server process group(s)" if stopped else "nothing to stop"
    )
    return 0


def cmd_serve_task(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import with_db
    from vibeflow.cloud.env import run_runner
    from vibeflow.cloud.serve import serve_task, service_name, write_serve_task
    from vibeflow.runs.service import RunService
    from vibeflow.serving.engines import trained_chat_template
    from vibeflow.serving.runs_link import adapter_dir, base_of

    async def find(db, settings):  # noqa: ANN001, ANN202
        async with db.session() as session:
            run = await RunService(session, settings).get(args.run)
            return run.id, run.status, adapter_dir(run), run.output_dir

    run_id, status, adapter, output_dir = with_db(find)
    template = trained_chat_template(adapter)
    task = serve_task(
        service_name(run_id),
        base_of(adapter),
        {run_id: adapter},
        gpu=args.gpu,
        replicas=args.replicas,
        chat_template=Path(template) if template else None,
    )
    path = write_serve_task(Path(output_dir), task)
    checked = run_runner("validate", {"yaml_path": str(path)})
    out = {"run_id": run_id, "run_status": status, "task": str(path), "validated": checked}
    if args.json:
        print_json(out)
    else:
        print(
            f"wrote {path} (validated by SkyPilot {checked['service']})\n"
            f"launch it and register it behind the gateway: vibeflow deploy {run_id} --cloud --gpu {args.gpu}"
        )
    return 0
