"""`vibeflow lsp`: the language server on stdio and the HTTP API in the same asyncio loop (what VS Code starts)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import BinaryIO


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "lsp",
        help="run the language server on stdio (with the HTTP API beside it)",
        description="Run the VibeFlow language server over stdio for an editor. The HTTP API starts in the same "
        "process on 127.0.0.1; its URL and bearer token are sent in the initialize result "
        "(capabilities.experimental.vibeflow.http) and in a `vibeflow/ready` notification once it answers. "
        "See docs/language-server.md.",
    )
    p.add_argument(
        "--stdio", action="store_true", help="accepted for editor compatibility (stdio is the default)"
    )
    p.add_argument("--no-http", action="store_true", help="language server only, no HTTP API")
    p.add_argument("--host", default="127.0.0.1", help="loopback address of the HTTP API (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="HTTP port; 0 picks a free one (default)")
    p.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="stderr log level (default WARNING)",
    )
    p.set_defaults(handler=cmd_lsp)


def claim_stdio() -> tuple[BinaryIO, BinaryIO]:
    """Reserve the real stdout for LSP frames; anything else printed (even by C code) goes to stderr."""
    lsp_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return sys.stdin.buffer, lsp_out


def cmd_lsp(args: argparse.Namespace) -> int:
    import logging

    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    if args.log_level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.WARNING)  # pygls logs every message (with tokens) at INFO
    stdin, stdout = claim_stdio()
    from vibeflow.lsp.runner import run

    code = run(stdin, stdout, http=not args.no_http, host=args.host, port=args.port)
    sys.stderr.flush()
    os._exit(code)  # the stdin reader thread may still be blocked in read(); do not wait for it
