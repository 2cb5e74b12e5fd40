"""`vibeflow demo`: the main job on the offline default — import a bundled example, report, fix and split it."""

from __future__ import annotations

import argparse
from pathlib import Path

from vibeflow.cli.async_runner import with_service
from vibeflow.cli.output import add_json_flag, print_json, progress_printer
from vibeflow.cli.render import render_report, render_version

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
        description="Import a bundled example dataset, print its quality report, write the fixed "
        "version and an 80/20 split. Everything runs offline.",
    )
    p.add_argument(
        "--data", type=Path, default=DEFAULT_EXAMPLE, help=f"data file (default {DEFAULT_EXAMPLE.name})"
    )
    p.add_argument("--seed", type=int, default=42)
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from vibeflow.data.versions import ReportOptions, version_summary

    progress = progress_printer(not args.json)

    async def work(service):  # noqa: ANN001, ANN202
        imported = await service.import_file(
            args.data, options=ReportOptions(model="vibeflow-demo-tiny"), progress=progress
        )
        fixed = await service.fix(imported.id, DEMO_FIXES, progress=progress)
        train, test = await service.split(fixed.id, test_fraction=0.2, seed=args.seed, progress=progress)
        return imported, fixed, train, test

    imported, fixed, train, test = with_service(work)
    steps = {"imported": imported, "fixed": fixed, "train": train, "test": test}
    if args.json:
        print_json({name: {**version_summary(v), "report": v.report} for name, v in steps.items()})
        return 0
    print(render_report({**imported.report, "source_path": str(args.data)}))
    print()
    for name, version in steps.items():
        print(render_version(f"{name:<8}", version_summary(version)))
    print(f"\nFixes: {fixed.report.get('fixes_applied')}")
    print("Next: inspect rows with `vibeflow data rows " + fixed.ref + " --max-score 60`")
    return 0
