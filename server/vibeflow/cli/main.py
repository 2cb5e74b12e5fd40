"""The `vibeflow` entry point: builds the subcommand tree and turns typed errors into clear messages and exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vibeflow import __version__
from vibeflow.cli import (
    brainstorm_cmd,
    cloud_cmd,
    data_cmd,
    demo_cmd,
    deploy_cmd,
    eval_cmd,
    lsp_cmd,
    recommend_cmd,
    runs_cmd,
    serve_cmd,
)
from vibeflow.cli.output import EXIT_ERROR, EXIT_INTERNAL, print_error

COMMAND_MODULES = (
    data_cmd,
    serve_cmd,
    demo_cmd,
    runs_cmd,
    lsp_cmd,
    recommend_cmd,
    brainstorm_cmd,
    eval_cmd,
    deploy_cmd,
    cloud_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vibeflow",
        description="VibeFlow: fine-tune language models from your editor. State lives in $VIBEFLOW_HOME (~/.vibeflow).",
    )
    parser.add_argument("--version", action="version", version=f"vibeflow {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from vibeflow.store.private import restrict_new_files

    restrict_new_files()  # state under $VIBEFLOW_HOME (and whatever else we write) is owner-only
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_ERROR if args.command else 0
    from vibeflow.errors import VibeFlowError

    try:
        return int(args.handler(args) or 0)
    except VibeFlowError as error:
        print_error(error, as_json=getattr(args, "json", False))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - last resort: a bug, not bad input
        if args.debug:
            raise
        print(
            f"internal error: {type(error).__name__}: {error}\n  fix: re-run with --debug and report the traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
