"""`vibeflow data …`: import, report, fix, split, list and preview dataset versions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vibeflow.cli.async_runner import with_service
from vibeflow.cli.output import add_json_flag, print_json, progress_printer
from vibeflow.cli.render import render_report, render_rows, render_version, render_versions

FIX_HELP = "comma-separated: drop_missing,dedup_exact,dedup_near,drop_over_context,normalize_whitespace,repair_mojibake"
DEFAULT_FIXES = "drop_missing,dedup_exact,dedup_near,drop_over_context,normalize_whitespace,repair_mojibake"


def register(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser(
        "data",
        help="import, score, fix and split training data",
        description="Import, score, fix and split training data. Source files are never modified.",
    )
    data_sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")

    p = data_sub.add_parser("report", help="quality report for a file or a stored version")
    p.add_argument(
        "target", help="a file (CSV/TSV/JSON/JSONL/Parquet) or a version: NAME, NAME@N, id, hash prefix"
    )
    _mapping_args(p)
    _length_args(p)
    add_json_flag(p)
    p.set_defaults(handler=cmd_report)

    p = data_sub.add_parser("import", help="import a file as a new immutable dataset version")
    p.add_argument("path", type=Path)
    p.add_argument("--name", help="dataset name (default: the file name)")
    _mapping_args(p)
    _length_args(p)
    add_json_flag(p)
    p.set_defaults(handler=cmd_import)

    p = data_sub.add_parser("fix", help="apply fixes, writing a new version (the source stays untouched)")
    p.add_argument("version", help="NAME, NAME@N, id or hash prefix")
    p.add_argument("--ops", default=DEFAULT_FIXES, help=f"{FIX_HELP} (default: all)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_fix)

    p = data_sub.add_parser("split", help="seeded train/test split into two new versions")
    p.add_argument("version", help="NAME, NAME@N, id or hash prefix")
    p.add_argument("--test", type=float, default=0.2, help="test fraction (default 0.2)")
    p.add_argument("--seed", type=int, default=42)
    add_json_flag(p)
    p.set_defaults(handler=cmd_split)

    p = data_sub.add_parser("list", help="datasets and their versions")
    add_json_flag(p)
    p.set_defaults(handler=cmd_list)

    p = data_sub.add_parser("rows", help="preview rows of a version with their quality scores")
    p.add_argument("version")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--min-score", type=float)
    p.add_argument("--max-score", type=float)
    add_json_flag(p)
    p.set_defaults(handler=cmd_rows)


def _mapping_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input-col", action="append", help="source column(s) for the user turn (repeatable)")
    p.add_argument("--output-col", help="source column for the assistant turn")
    p.add_argument("--system-col", help="source column for a system prompt")
    p.add_argument("--skip-bad-rows", action="store_true", help="import the good rows when a few are broken")


def _length_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        default="vibeflow-demo-tiny",
        help="count tokens with this model's tokenizer (a local dir, vibeflow-demo-tiny, or 'approx')",
    )
    p.add_argument("--context-length", type=int, default=2048, help="context window for over-context checks")


def _mapping_opts(args: argparse.Namespace) -> dict[str, Any]:
    cols = args.input_col
    return {
        "input_col": cols[0] if cols and len(cols) == 1 else cols,
        "output_col": args.output_col,
        "system_col": args.system_col,
        "skip_bad_rows": args.skip_bad_rows,
    }


def accept_bad_rows(args: argparse.Namespace, attempt):  # noqa: ANN001, ANN201
    """Run `attempt()`; if a few rows are broken and we are interactive, ask before importing only the good ones."""
    import sys

    from vibeflow.errors import BadRowsError

    try:
        return attempt()
    except BadRowsError as error:
        if args.json or args.skip_bad_rows or not sys.stdin.isatty():
            raise
        print(f"error: {error}", file=sys.stderr)
        good = error.details.get("good_rows", "the other")
        answer = input(f"Import the {good} good rows and skip the broken ones? [y/N] ").strip().lower()
        if answer not in {"y", "yes"}:
            raise
        args.skip_bad_rows = True
        return attempt()


def _options(args: argparse.Namespace):  # noqa: ANN202
    from vibeflow.data.versions import ReportOptions

    return ReportOptions(model=args.model, context_length=args.context_length)


def cmd_report(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import report_file

    target = Path(args.target)
    if target.exists():
        report = accept_bad_rows(
            args,
            lambda: report_file(
                target, _options(args), progress_printer(not args.json), **_mapping_opts(args)
            ),
        )
    else:
        report = with_service(lambda service: service.report_version(args.target))
    print_json(report) if args.json else print(render_report(report))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import version_summary

    async def work(service):  # noqa: ANN001, ANN202
        version = await service.import_file(
            args.path,
            name=args.name,
            options=_options(args),
            progress=progress_printer(not args.json),
            **_mapping_opts(args),
        )
        return version_summary(version), version.report

    summary, report = accept_bad_rows(args, lambda: with_service(work))
    if args.json:
        print_json({**summary, "report": report})
    else:
        print(render_report(report))
        print(render_version("imported", summary))
    return 0


def cmd_fix(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import version_summary

    ops = [op.strip() for op in args.ops.split(",") if op.strip()]

    async def work(service):  # noqa: ANN001, ANN202
        version = await service.fix(args.version, ops, progress=progress_printer(not args.json))
        return version_summary(version), version.report

    summary, report = with_service(work)
    if args.json:
        print_json({**summary, "report": report})
    else:
        print(render_report(report))
        print(render_version("fixed", summary))
    return 0


def cmd_split(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import version_summary

    async def work(service):  # noqa: ANN001, ANN202
        train, test = await service.split(
            args.version, test_fraction=args.test, seed=args.seed, progress=progress_printer(not args.json)
        )
        return {
            "train": version_summary(train),
            "test": version_summary(test),
            "leakage": next((i for i in train.report.get("issues", []) if i["kind"] == "leakage"), None),
        }

    result = with_service(work)
    if args.json:
        print_json(result)
    else:
        print(render_version("train", result["train"]))
        print(render_version("test ", result["test"]))
        leak = result["leakage"]
        print(f"leakage: {leak['message']}" if leak else "leakage: none (no test row duplicates a train row)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import version_summary

    async def work(service):  # noqa: ANN001, ANN202
        return [
            {"dataset": d.name, "versions": [version_summary(v) for v in d.versions]}
            for d in await service.list_datasets()
        ]

    datasets = with_service(work)
    print_json(datasets) if args.json else print(render_versions(datasets))
    return 0


def cmd_rows(args: argparse.Namespace) -> int:
    page = with_service(
        lambda service: service.rows(
            args.version,
            offset=args.offset,
            limit=args.limit,
            min_score=args.min_score,
            max_score=args.max_score,
        )
    )
    print_json(page) if args.json else print(render_rows(page))
    return 0
