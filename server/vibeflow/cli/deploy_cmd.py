"""CLI for deployments: `vibeflow deploy RUN` and `vibeflow deployments list|show|stop|start|logs|keys|split|
rollback|package|usage`. Deployments live in the backend (`vibeflow serve`): these commands talk to a running
one, and `deploy` starts one in the background when none is running."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any

from vibeflow.cli.output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    deploy = sub.add_parser(
        "deploy",
        help="serve a completed run behind the OpenAI-compatible gateway",
        description="Deploy a completed LoRA run: start an engine (vLLM with CUDA, else the CPU engine), check that "
        "serving renders prompts exactly like training, and route the gateway to it. Prints the endpoint, a new "
        "API key (shown once) and curl/Python snippets. Deploying to an existing --name adds a new version.",
    )
    deploy.add_argument("run", help="run id or unique prefix")
    deploy.add_argument("--engine", choices=["cpu", "vllm", "auto", "cloud"], default="auto")
    deploy.add_argument(
        "--cloud",
        action="store_true",
        help="serve on a cloud GPU: vLLM in a SkyServe service (same as --engine cloud), behind the same gateway",
    )
    deploy.add_argument("--gpu", help="--cloud: GPU of each replica (default L4)")
    deploy.add_argument("--replicas", type=int, help="--cloud: SkyServe replicas (default 1)")
    deploy.add_argument(
        "--start-timeout",
        type=int,
        help="seconds the engine may take to become healthy (default 300; --cloud: 3600)",
    )
    deploy.add_argument("--name", help="served model name (default: the run's name)")
    deploy.add_argument("--no-key", action="store_true", help="do not mint an API key")
    deploy.add_argument(
        "--cost-per-hour", type=float, help="hourly price of the serving machine (cost estimates)"
    )
    deploy.add_argument("--threads", type=int, help="CPU engine: torch threads")
    add_json_flag(deploy)
    deploy.set_defaults(handler=cmd_deploy)

    group = sub.add_parser("deployments", help="manage deployments, API keys, A/B splits and rollbacks")
    dsub = group.add_subparsers(dest="deployments_command", metavar="ACTION")
    simple = {
        "list": ("list deployments", None),
        "show": ("one deployment with versions and the consistency verdict", None),
        "stop": ("stop a deployment's engine", "post"),
        "start": ("start a stopped deployment", "post"),
        "rollback": ("send all traffic back to the previously live version", "post"),
    }
    for action, (text, _method) in simple.items():
        p = dsub.add_parser(action, help=text)
        if action != "list":
            p.add_argument("deployment", help="deployment name or id")
        add_json_flag(p)
        p.set_defaults(handler=cmd_simple, action=action)
    logs = dsub.add_parser("logs", help="tail of the engine log")
    logs.add_argument("deployment")
    logs.add_argument("--tail", type=int, default=100)
    add_json_flag(logs)
    logs.set_defaults(handler=cmd_logs)
    usage = dsub.add_parser(
        "usage", help="requests, tokens, cost, latency p50/p95/p99, error rate, per day and arm"
    )
    usage.add_argument("deployment")
    usage.add_argument("--days", type=int, default=7)
    add_json_flag(usage)
    usage.set_defaults(handler=cmd_usage)
    split = dsub.add_parser("split", help="A/B: send --weight of the traffic to version B")
    split.add_argument("deployment")
    split.add_argument("version_b", type=int, help="version number of arm B")
    split.add_argument("--weight", type=float, required=True, help="share of traffic for B, 0..1")
    split.add_argument("--a", type=int, dest="version_a", help="version of arm A (default: the current one)")
    add_json_flag(split)
    split.set_defaults(handler=cmd_split)
    package = dsub.add_parser(
        "package", help="write the download package (adapter, tokenizer, template, example)"
    )
    package.add_argument("deployment")
    package.add_argument("--version", type=int, help="version number (default: the current one)")
    package.add_argument("--merged", action="store_true", help="also write merged full weights")
    package.add_argument("--no-zip", action="store_true")
    add_json_flag(package)
    package.set_defaults(handler=cmd_package)
    keys = dsub.add_parser("keys", help="API keys: create, rotate, revoke, list")
    ksub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    create = ksub.add_parser("create", help="mint a key (shown once)")
    create.add_argument("--deployment", help="key for this deployment's project")
    create.add_argument("--project", help="key for this project (name or id)")
    create.add_argument("--name", default="default")
    create.add_argument("--rate-limit", type=int, help="requests per minute (default 100)")
    add_json_flag(create)
    create.set_defaults(handler=cmd_keys, keys_action="create")
    for action, text in (
        ("rotate", "revoke a key and mint its replacement"),
        ("revoke", "revoke a key at once"),
    ):
        p = ksub.add_parser(action, help=text)
        p.add_argument("key_id", type=int)
        add_json_flag(p)
        p.set_defaults(handler=cmd_keys, keys_action=action)
    listing = ksub.add_parser("list", help="keys (prefixes only, never secrets)")
    listing.add_argument("--deployment")
    listing.add_argument("--project")
    add_json_flag(listing)
    listing.set_defaults(handler=cmd_keys, keys_action="list")


def _client(start: bool = False) -> Any:
    """A client of the running backend; with `start`, launch `vibeflow serve` in the background first."""
    from vibeflow.cli.runs_exec import server_client
    from vibeflow.errors import VibeFlowError
    from vibeflow.settings import load_settings

    settings = load_settings()
    client = server_client(settings)
    if client is not None or not start:
        if client is None:
            raise VibeFlowError(
                "no VibeFlow backend is running",
                fix="start one with `vibeflow serve` (or run `vibeflow deploy`)",
            )
        return client
    from vibeflow.store.private import private_dir

    log_path = private_dir(settings.home) / "serve.log"
    log = os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
    os.chmod(log_path, 0o600)  # a log of an earlier version may be 0644
    subprocess.Popen(
        [sys.executable, "-m", "vibeflow", "serve"],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
    )
    print(
        f"started the VibeFlow backend in the background (log: {settings.home / 'serve.log'})",
        file=sys.stderr,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        client = server_client(settings)
        if client is not None:
            return client
    raise VibeFlowError("the backend did not start within 60 s", fix=f"read {settings.home / 'serve.log'}")


def _call(method: str, path: str, start: bool = False, **kwargs: Any) -> Any:
    from vibeflow.cli.runs_exec import server_call

    return server_call(_client(start), method, path, **kwargs)


def _show(data: Any, as_json: bool, text: str) -> int:
    if as_json:
        print_json(data)
    else:
        print(text)
    return 0


def _line(dep: dict[str, Any]) -> str:
    current = dep.get("current_version") or {}
    split = ", ".join(f"v{v['number']} {v['weight']:.0%}" for v in dep.get("split") or [])
    return (
        f"{dep['name']:<24} {dep['status']:<10} {dep['engine']:<5} v{current.get('number', '-')!s:<3} "
        f"[{split}]  {dep.get('endpoint') or '-'}" + (f"\n    {dep['message']}" if dep.get("message") else "")
    )


def cmd_deploy(args: argparse.Namespace) -> int:
    if args.cloud:
        args.engine = "cloud"
    body = {
        "run": args.run,
        "engine": args.engine,
        "gpu": args.gpu,
        "replicas": args.replicas,
        "start_timeout_s": args.start_timeout,
        "name": args.name,
        "create_key": not args.no_key,
        "cost_per_hour_usd": args.cost_per_hour,
        "threads": args.threads,
    }
    if not args.json:
        print(
            f"deploying {args.run} (engine {args.engine}): starting the engine and checking train/serve "
            "consistency…"
            + (
                " (a cloud GPU: SkyPilot provisions it, which takes minutes)"
                if args.engine == "cloud"
                else ""
            ),
            file=sys.stderr,
        )
    dep = _call(
        "POST",
        "/api/deployments",
        start=True,
        json={k: v for k, v in body.items() if v is not None},
        # the engine's start (for the cloud: provisioning a GPU and loading the model) plus the check
        timeout=(args.start_timeout or (3600 if args.engine == "cloud" else 300)) + 600,
    )
    if args.json:
        print_json(dep)
        return 0
    version = dep["current_version"]
    print(
        f"deployment {dep['name']} is {dep['status']} (version {version['number']}, run {version['run_id']}, "
        f"engine {dep['engine']})"
    )
    print(f"endpoint: {dep['endpoint']}   model: {dep['model']}")
    if dep.get("api_key"):
        print(f"API key (shown once, store it now): {dep['api_key']['key']}")
    snippets = dep.get("snippets") or {}
    if snippets:
        print("\ncurl:\n  " + snippets["curl"])
        print("\npython:\n" + "".join(f"  {line}\n" for line in snippets["python"].splitlines()))
    return 0


def cmd_simple(args: argparse.Namespace) -> int:
    if args.action == "list":
        deps = _call("GET", "/api/deployments")
        return _show(deps, args.json, "\n".join(_line(d) for d in deps) or "no deployments")
    if args.action == "show":
        dep = _call("GET", f"/api/deployments/{args.deployment}")
        versions = "\n".join(
            f"  v{v['number']}  run {v['run_id']}  weight {v['weight']:.0%}{'  (current)' if v['current'] else ''}"
            for v in dep["versions"]
        )
        return _show(dep, args.json, _line(dep) + "\nversions:\n" + versions)
    dep = _call("POST", f"/api/deployments/{args.deployment}/{args.action}")
    return _show(dep, args.json, _line(dep))


def cmd_logs(args: argparse.Namespace) -> int:
    data = _call("GET", f"/api/deployments/{args.deployment}/logs", params={"tail": args.tail})
    return _show(data, args.json, "\n".join(data["lines"]))


def cmd_usage(args: argparse.Namespace) -> int:
    data = _call("GET", f"/api/deployments/{args.deployment}/usage", params={"days": args.days})

    def row(label: str, s: dict[str, Any]) -> str:
        lat = s["latency_ms"]
        return (
            f"{label:<12} {s['requests']:>7} req  {s['error_rate']:>6.1%} err  in {s['input_tokens']:>8}  "
            f"out {s['output_tokens']:>8}  ${s['cost_usd']:.4f}  p50 {lat['p50']} p95 {lat['p95']} p99 {lat['p99']} ms"
        )

    lines = [row("total", data["total"])]
    lines += [row(d["day"], d) for d in data["by_day"]]
    lines += [row(str(a["version"]), a) for a in data["by_version"]]
    return _show(data, args.json, "\n".join(lines))


def cmd_split(args: argparse.Namespace) -> int:
    body = {"version_b": args.version_b, "weight_b": args.weight, "version_a": args.version_a}
    dep = _call("POST", f"/api/deployments/{args.deployment}/split", json=body)
    return _show(dep, args.json, _line(dep))


def cmd_package(args: argparse.Namespace) -> int:
    body = {"version": args.version, "merged": args.merged, "zip": not args.no_zip}
    data = _call("POST", f"/api/deployments/{args.deployment}/package", json=body)
    return _show(
        data, args.json, f"package: {data['directory']}" + (f"\nzip: {data['zip']}" if data["zip"] else "")
    )


def cmd_keys(args: argparse.Namespace) -> int:
    action = args.keys_action
    if action == "list":
        params = {k: v for k, v in (("deployment", args.deployment), ("project", args.project)) if v}
        keys = _call("GET", "/api/keys", params=params)
        text = "\n".join(
            f"{k['id']:>4}  {k['prefix']:<20} {k['name']:<16} {k['rate_limit_per_minute']:>5}/min  "
            f"{'active' if k['active'] else 'revoked'}"
            for k in keys
        )
        return _show(keys, args.json, text or "no keys")
    if action == "create":
        body = {
            "deployment": args.deployment,
            "project": args.project,
            "name": args.name,
            "rate_limit_per_minute": args.rate_limit,
        }
        data = _call("POST", "/api/keys", json={k: v for k, v in body.items() if v is not None})
    else:
        data = _call("POST", f"/api/keys/{args.key_id}/{action}")
    if action == "revoke":
        return _show(data, args.json, f"key {data['id']} ({data['prefix']}) revoked")
    return _show(data, args.json, f"API key {data['id']} (shown once, store it now): {data['key']}")
