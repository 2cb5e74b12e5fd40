"""`vibeflow init`, `vibeflow train` and `vibeflow runs list|show|logs|stop|resume|retry`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vibeflow.cli.output import EXIT_ERROR, add_json_flag, print_json

PRESETS = ("conservative", "balanced", "aggressive")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="write a commented vibeflow.yaml (never overwrites)",
        description="Write a commented training recipe, vibeflow.yaml, into a folder. Empty "
        "hyperparameters take the preset's values. An existing file is never overwritten.",
    )
    p.add_argument(
        "--preset", choices=PRESETS, default="balanced", help="hyperparameter preset (default balanced)"
    )
    p.add_argument("--data", type=Path, help="training data file to reference (CSV/TSV/JSON/JSONL/Parquet)")
    p.add_argument("--name", help="recipe name (default: the folder name)")
    p.add_argument("--dir", type=Path, default=Path("."), help="folder to write into (default: current)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "train",
        help="train from vibeflow.yaml (foreground with progress, or --detach)",
        description="Prepare the data of a recipe (import, fixes, split — reusing earlier "
        "versions), then run the trainer. With --wait (default) it runs here with a progress bar; "
        "Ctrl-C stops it gracefully at a checkpoint. With --detach it is handed to a running "
        "`vibeflow serve`, or started in the background.",
    )
    p.add_argument(
        "recipe", nargs="?", type=Path, help="vibeflow.yaml or its folder (default: current folder)"
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--wait", dest="wait", action="store_true", default=True, help="run in the foreground")
    mode.add_argument("--detach", dest="wait", action="store_false", help="start and return at once")
    _set_args(p)
    p.add_argument(
        "--cloud", action="store_true", help="train on a cloud GPU through SkyPilot (compute.target=cloud)"
    )
    p.add_argument(
        "--over-budget",
        action="store_true",
        help="start even if the estimate exceeds the remaining monthly budget or the recipe's budget limits",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_train)

    runs = sub.add_parser("runs", help="list, inspect, stop, resume and retry training runs")
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="SUBCOMMAND")
    p = runs_sub.add_parser("list", help="runs, newest first")
    p.add_argument("--status", choices=("queued", "running", "completed", "failed", "stopped", "orphaned"))
    p.add_argument("--limit", type=int, default=20)
    add_json_flag(p)
    p.set_defaults(handler=cmd_list)

    p = runs_sub.add_parser("show", help="one run: progress, checkpoint, adapter, error, alerts, retry diff")
    p.add_argument("run", help="run id (or a unique prefix)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_show)

    p = runs_sub.add_parser("logs", help="trainer console output (or --events: the event log)")
    p.add_argument("run")
    p.add_argument("--tail", type=int, default=100, help="last N lines/events (default 100)")
    p.add_argument("--events", action="store_true", help="show the stored event log instead of the console")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing until the run finishes")
    add_json_flag(p)
    p.set_defaults(handler=cmd_logs)

    p = runs_sub.add_parser("stop", help="stop gracefully: the trainer saves a checkpoint and exits")
    p.add_argument("run")
    p.add_argument(
        "--timeout", type=float, default=180, help="seconds to wait for the checkpoint (default 180)"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_stop)

    for name, text in (
        ("resume", "continue a stopped/failed/orphaned run from its latest checkpoint"),
        ("retry", "new run of a finished run with the suggested fix applied (shows the diff)"),
    ):
        p = runs_sub.add_parser(name, help=text)
        p.add_argument("run")
        mode = p.add_mutually_exclusive_group()
        mode.add_argument("--wait", dest="wait", action="store_true", default=True)
        mode.add_argument("--detach", dest="wait", action="store_false")
        if name == "retry":
            p.add_argument("--dry-run", action="store_true", help="only show what would change")
            _set_args(p)
        add_json_flag(p)
        p.set_defaults(handler=cmd_resume if name == "resume" else cmd_retry)


def _set_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a recipe field for this run only, e.g. --set training.max_steps=20",
    )
    p.add_argument("--max-steps", type=int, help="shortcut for --set training.max_steps=N")


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    import yaml

    from vibeflow.errors import ConfigError

    changes: dict[str, Any] = {}
    for item in args.sets:
        field, sep, value = item.partition("=")
        if not sep or not field.strip():
            raise ConfigError(
                f"--set {item!r} is not FIELD=VALUE", fix="e.g. --set training.learning_rate=1.0e-4"
            )
        changes[field.strip()] = yaml.safe_load(value) if value.strip() else None
    if getattr(args, "max_steps", None):
        changes["training.max_steps"] = args.max_steps
    if getattr(args, "cloud", False):
        changes["compute.target"] = "cloud"
    return changes


def cmd_init(args: argparse.Namespace) -> int:
    from vibeflow.recipe.template import write_recipe

    path = write_recipe(args.dir, preset=args.preset, data=args.data, name=args.name)
    if args.json:
        print_json({"path": str(path.resolve()), "preset": args.preset})
    else:
        print(f"wrote {path} ({args.preset} preset). Edit it, then run: vibeflow train")
    return 0


def _finish(run: dict[str, Any], args: argparse.Namespace, waited: bool) -> int:
    from vibeflow.cli.runs_render import render_run

    if args.json:
        print_json(run)
    elif not waited:
        print(f"started {run['id']} ({run['status']}). Follow it with: vibeflow runs logs {run['id']} -f")
    else:
        print(render_run(run))
        if run["status"] == "completed":
            print(f"\nAdapter: {run['adapter_path'] or run['output_dir']}")
    if waited and run["status"] in ("failed", "orphaned"):
        return EXIT_ERROR
    return 0


def _launch(run_id: str, args: argparse.Namespace) -> dict[str, Any]:
    from vibeflow.cli.runs_exec import follow_run, with_db

    return with_db(lambda db, settings: follow_run(db, settings, run_id, wait=args.wait, show=not args.json))


def cmd_train(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import server_call, server_client, with_db
    from vibeflow.recipe.loader import load_recipe, recipe_from_data
    from vibeflow.runs.adjust import apply_changes
    from vibeflow.settings import load_settings

    recipe, path = load_recipe(args.recipe)
    changes = _changes(args)
    if changes:
        recipe = recipe_from_data(apply_changes(recipe.model_dump(mode="json"), changes), "--set")
    client = None if args.wait else server_client(load_settings())
    if client is not None:  # detached: the server's queue runs it
        body = {"recipe_path": str(path), "overrides": changes, "over_budget": args.over_budget}
        run = server_call(client, "POST", "/api/runs", json=body)
        return _finish(run, args, waited=False)
    if not args.json:
        print(f"preparing data for {recipe.name} ({path.name})…", file=sys.stderr, flush=True)

    async def create(db, settings):  # noqa: ANN001, ANN202
        from vibeflow.runs.service import RunService

        async with db.session() as session:
            service = RunService(session, settings)
            return (await service.create(recipe, recipe_path=path, over_budget=args.over_budget)).id

    run_id = with_db(create)
    return _finish(_launch(run_id, args), args, waited=args.wait)


def cmd_list(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import refreshed, with_db
    from vibeflow.cli.runs_render import render_list
    from vibeflow.runs.service import RunService
    from vibeflow.runs.summary import run_summary

    async def work(db, settings):  # noqa: ANN001, ANN202
        await refreshed(db, settings)
        async with db.session() as session:
            return [
                run_summary(r)
                for r in await RunService(session, settings).list(status=args.status, limit=args.limit)
            ]

    runs = with_db(work)
    print_json(runs) if args.json else print(render_list(runs))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import refreshed, with_db
    from vibeflow.cli.runs_render import render_run
    from vibeflow.runs.service import RunService
    from vibeflow.runs.summary import run_detail

    async def work(db, settings):  # noqa: ANN001, ANN202
        await refreshed(db, settings)
        async with db.session() as session:
            service = RunService(session, settings)
            run = await service.get(args.run)
            alerts = await service.events(run.id, types=["alert"], limit=50)
            return run_detail(run), alerts["events"]

    run, alerts = with_db(work)
    print_json({**run, "alerts": alerts}) if args.json else print(render_run(run, alerts))
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import refreshed, with_db
    from vibeflow.cli.runs_render import render_event
    from vibeflow.runs.events import EVENT_PREFIX
    from vibeflow.runs.follow import LineTail
    from vibeflow.runs.logs import read_log_tail
    from vibeflow.runs.process import LOG_NAME
    from vibeflow.runs.service import RunService

    cursor: dict[str, Any] = {"seq": None, "tail": None}

    async def work(db, settings):  # noqa: ANN001, ANN202
        await refreshed(db, settings)
        async with db.session() as session:
            service = RunService(session, settings)
            run = await service.get(args.run)
            if not args.events:
                return run.status, []
            after = cursor["seq"] if cursor["seq"] is not None else max(0, run.event_seq - args.tail)
            page = await service.events(run.id, after_seq=after, limit=5000)
            cursor["seq"] = page["next_seq"]
            cursor["dir"] = run.output_dir
            return run.status, page["events"]

    def emit(item: Any) -> None:
        if args.json:
            print_json(item if args.events else {"line": item})
        else:
            print(render_event(item) if args.events else item, flush=True)

    while True:
        status, events = with_db(work)
        if args.events:
            lines: list[Any] = events
        else:

            async def output_dir(db, settings):  # noqa: ANN001, ANN202
                async with db.session() as session:
                    return (await RunService(session, settings).get(args.run)).output_dir

            log = Path(cursor.get("dir") or with_db(output_dir)) / LOG_NAME
            cursor["dir"] = str(log.parent)
            if cursor["tail"] is None:
                lines = read_log_tail(log, args.tail)
                cursor["tail"] = LineTail(log, log.stat().st_size if log.exists() else 0)
            else:
                lines = [line for line in cursor["tail"].read() if EVENT_PREFIX not in line]
        for item in lines:
            emit(item)
        if not args.follow or status not in ("queued", "running"):
            return 0
        time.sleep(1.0)


def cmd_stop(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import refreshed, server_call, server_client, with_db
    from vibeflow.runs.manager import RunManager
    from vibeflow.runs.service import RunService
    from vibeflow.runs.summary import run_summary
    from vibeflow.settings import load_settings

    client = server_client(load_settings())
    if client is not None:
        run = server_call(client, "POST", f"/api/runs/{args.run}/stop")
    else:

        async def stop(db, settings):  # noqa: ANN001, ANN202
            async with db.session() as session:
                run_id = (await RunService(session, settings).get(args.run)).id
            return run_summary(await RunManager(db, settings, adopt=False).stop(run_id))

        run = with_db(stop)
    deadline = time.monotonic() + args.timeout
    if not args.json:
        print(f"stopping {run['id']}: waiting for the trainer to save a checkpoint…", file=sys.stderr)

    async def poll(db, settings):  # noqa: ANN001, ANN202
        await refreshed(db, settings)
        async with db.session() as session:
            return run_summary(await RunService(session, settings).get(run["id"]))

    while run["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
        run = with_db(poll)
    if args.json:
        print_json(run)
    else:
        checkpoint = f" (checkpoint at step {run['checkpoint']['step']})" if run["checkpoint"] else ""
        print(f"{run['id']}: {run['status']}{checkpoint}")
    return 0 if run["status"] != "running" else EXIT_ERROR


def _server_or_local(
    args: argparse.Namespace, path: str, body: dict[str, Any] | None, local: Callable[[], str]
) -> int:
    """Detached: hand the action to a running server's queue. Otherwise queue it here and run it."""
    from vibeflow.cli.runs_exec import server_call, server_client
    from vibeflow.settings import load_settings

    client = None if args.wait else server_client(load_settings())
    if client is not None:
        return _finish(server_call(client, "POST", path, json=body), args, waited=False)
    run_id = local()
    return _finish(_launch(run_id, args), args, waited=args.wait)


def cmd_resume(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import with_db
    from vibeflow.runs.service import RunService

    async def queue(db, settings):  # noqa: ANN001, ANN202
        async with db.session() as session:
            run = await RunService(session, settings).get(args.run)
            if run.status not in ("stopped", "failed", "orphaned"):
                from vibeflow.runs.errors import RunStateError

                raise RunStateError(
                    f"run {run.id} is {run.status}; only stopped, failed or orphaned runs resume",
                    fix=f"start a new run from it: vibeflow runs retry {run.id}",
                )
        from vibeflow.runs.manager import RunManager

        manager = RunManager(db, settings, adopt=False)
        await manager.resume(run.id)
        await manager.close()
        return run.id

    def local() -> str:
        return with_db(queue)

    return _server_or_local(args, f"/api/runs/{args.run}/resume", None, local)


def cmd_retry(args: argparse.Namespace) -> int:
    from vibeflow.cli.runs_exec import with_db
    from vibeflow.cli.runs_render import render_diff
    from vibeflow.runs.service import RunService

    changes = _changes(args) or None
    if args.dry_run:

        async def plan(db, settings):  # noqa: ANN001, ANN202
            async with db.session() as session:
                found = await RunService(session, settings).retry_plan(args.run, changes)
                return {
                    "run_id": found["run"].id,
                    "suggestion": found["suggestion"].to_dict(),
                    "diff": found["diff"],
                    "effective_diff": found["effective_diff"],
                }

        found = with_db(plan)
        if args.json:
            print_json(found)
        else:
            print(
                f"retry of {found['run_id']}: {found['suggestion']['reason']} — {found['suggestion']['fix']}"
            )
            print("\n".join(render_diff(found["effective_diff"]) or ["    (no changes)"]))
        return 0

    async def create(db, settings):  # noqa: ANN001, ANN202
        async with db.session() as session:
            run, adjustments = await RunService(session, settings).retry(args.run, changes)
            return run.id, adjustments

    def local() -> str:
        run_id, adjustments = with_db(create)
        if not args.json:
            print(f"retry {run_id}: {adjustments['reason']} — {adjustments['fix']}", file=sys.stderr)
            print(
                "\n".join(render_diff(adjustments["effective_diff"]) or ["    (no changes)"]), file=sys.stderr
            )
        return run_id

    return _server_or_local(args, f"/api/runs/{args.run}/retry", {"changes": changes}, local)
