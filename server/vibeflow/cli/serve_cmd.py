"""`vibeflow serve`: run the local HTTP API on loopback with a bearer token."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import stat
import sys

from vibeflow.cli.output import add_json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="run the local HTTP API (loopback only, bearer token)",
        description="Run the VibeFlow HTTP API on 127.0.0.1. The token comes from $VIBEFLOW_TOKEN "
        "or is generated per start; it is written to $VIBEFLOW_HOME/server.json (mode 0600) and printed only "
        "to a terminal (or, with --json, to a pipe), never into a redirected log.",
    )
    p.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from vibeflow.host import Endpoint, serve_http, session_token
    from vibeflow.settings import load_settings

    settings = load_settings()

    def ready(endpoint: Endpoint) -> None:
        where = f"{settings.home / 'server.json'} (mode 0600)"
        if args.json:
            # The handshake of a parent process reading our pipe; never written into a file (a log).
            token = endpoint.token if not _stdout_is_file() else None
            print(json.dumps({"url": endpoint.url, "token": token, "pid": endpoint.pid}), flush=True)
        else:
            print(f"VibeFlow API listening on {endpoint.url}", flush=True)
            # Only a person at a terminal sees the token; a redirected stdout (serve.log) gets where it is.
            print(f"token: {endpoint.token if sys.stdout.isatty() else 'in ' + where}", flush=True)
            print(f"OpenAPI: {endpoint.url}/openapi.json (send the token as a bearer)", flush=True)
        sys.stdout.flush()

    asyncio.run(serve_http(settings, args.host, args.port, session_token(), ready))
    return 0


def _stdout_is_file() -> bool:
    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError):
        return False
