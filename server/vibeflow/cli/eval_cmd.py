"""`vibeflow eval RUN` (evaluate tuned vs base), `vibeflow eval show|export|list` (stored results and reports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vibeflow.cli.output import EXIT_ERROR, add_json_flag, print_json, runnable
from vibeflow.evaluation import auto  # noqa: F401 - registers the auto-evaluation run-finish hook (light import)

_USAGE = (
    "vibeflow eval RUN [--sample N] [--judge | --no-judge] [--judge-sample N] [--json]\n"
    "       vibeflow eval show REF [--json]\n"
    "       vibeflow eval export REF [--html FILE] [--pdf FILE]\n"
    "       vibeflow eval list [RUN] [--json]"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a run's tuned model against its base; show or export results",
        usage=_USAGE,
        description="Evaluate a completed run on its held-out split: base and tuned model answer the same "
        "prompts (greedy, training chat template); exact match, token F1, ROUGE-L, BLEU, length ratio, "
        "perplexity, semantic similarity, an optional Gemini judge, a general-knowledge forgetting check, an "
        "overall 0-100 score and a quality gate. REF is an evaluation id or a run id (its latest evaluation).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("words", nargs="+", metavar="RUN|show REF|export REF|list [RUN]")
    p.add_argument("--sample", type=int, help="held-out examples to generate (default 50; 0 = all)")
    judge = p.add_mutually_exclusive_group()
    judge.add_argument(
        "--judge",
        dest="judge",
        action="store_true",
        default=None,
        help="use the Gemini judge (warns when no key is set)",
    )
    judge.add_argument("--no-judge", dest="judge", action="store_false", help="skip the Gemini judge")
    p.add_argument("--judge-sample", type=int, help="examples the judge rates (default 20)")
    p.add_argument(
        "--max-new-tokens", type=int, help="generation limit (default: from the reference lengths)"
    )
    p.add_argument("--batch-size", type=int, help="generation batch size (default 8)")
    p.add_argument(
        "--general-set", type=Path, help="your own forgetting quiz (JSONL: question, choices, answer index)"
    )
    p.add_argument("--no-forgetting", action="store_true", help="skip the general-knowledge forgetting check")
    p.add_argument("--html", type=Path, help="export: write the HTML report here")
    p.add_argument("--pdf", type=Path, help="export: write the PDF report here")
    p.add_argument("--execute", action="store_true", help=argparse.SUPPRESS)  # run a stored queued evaluation
    add_json_flag(p)
    p.set_defaults(handler=cmd_eval)


def _bad(message: str, fix: str) -> Exception:
    from vibeflow.errors import ConfigError

    return ConfigError(message, fix=fix)


def cmd_eval(args: argparse.Namespace) -> int:
    head, rest = args.words[0], args.words[1:]
    if head == "show":
        if len(rest) != 1:
            raise _bad(
                "`vibeflow eval show` needs one evaluation or run id",
                "e.g. vibeflow eval show support-bot-3fa9c2",
            )
        return _show(rest[0], args)
    if head == "export":
        if len(rest) != 1:
            raise _bad(
                "`vibeflow eval export` needs one evaluation or run id",
                "e.g. vibeflow eval export RUN --html r.html",
            )
        return _export(rest[0], args)
    if head == "list":
        return _list(rest[0] if rest else None, args)
    if rest:
        raise _bad(f"unexpected argument(s): {' '.join(rest)}", "usage: " + _USAGE.splitlines()[0])
    return _run(head, args)


def _with_service(work: Any) -> Any:
    from vibeflow.cli.runs_exec import refreshed, with_db
    from vibeflow.evaluation.service import EvaluationService

    async def main(db, settings):  # noqa: ANN001, ANN202
        await refreshed(db, settings)
        return await work(EvaluationService(db, settings))

    return with_db(main)


class _Bar:
    """One progress line on stderr per stage (a tqdm bar on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.stage: str | None = None
        self.bar: Any = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.stage = stage
            if self.bar is not None:
                self.bar.set_description_str(stage)
            else:
                print(f"▸ {stage}", file=sys.stderr, flush=True)
        if sys.stderr.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=100, desc=stage, file=sys.stderr, bar_format="{desc}: {percentage:3.0f}%|{bar}|"
                )
            self.bar.n = int(100 * fraction)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run(run_ref: str, args: argparse.Namespace) -> int:
    from vibeflow.evaluation.render import render_text
    from vibeflow.evaluation.views import evaluation_detail

    options = {
        "sample": args.sample,
        "judge": args.judge,
        "judge_sample": args.judge_sample,
        "max_new_tokens": args.max_new_tokens,
        "batch_size": args.batch_size,
        "forgetting": False if args.no_forgetting else None,
        "general_set": str(args.general_set.resolve()) if args.general_set else None,
    }
    bar = _Bar(not args.json)

    async def work(service):  # noqa: ANN001, ANN202
        if args.execute:
            ev = await service.execute(run_ref, progress=bar)
        else:
            ev = await service.evaluate(run_ref, options=options, progress=bar)
        return evaluation_detail(*(await service.get(ev.id)))

    try:
        detail = _with_service(work)
    finally:
        bar.close()
    if args.judge and detail.get("status") == "completed" and detail["summary"]["judge"]["status"] != "ok":
        print(f"warning: the judge was requested but {detail['summary']['judge']['note']}", file=sys.stderr)
    print_json(detail) if args.json else print(render_text(detail, command=runnable))
    return 0 if detail["status"] == "completed" else EXIT_ERROR


def _show(ref: str, args: argparse.Namespace) -> int:
    from vibeflow.evaluation.render import render_text
    from vibeflow.evaluation.views import evaluation_detail

    async def work(service):  # noqa: ANN001, ANN202
        return evaluation_detail(*(await service.get(ref)))

    detail = _with_service(work)
    print_json(detail) if args.json else print(render_text(detail, command=runnable))
    return 0


def _export(ref: str, args: argparse.Namespace) -> int:
    from vibeflow.evaluation.views import evaluation_detail

    if not args.html and not args.pdf:
        raise _bad("nothing to export", "pass --html FILE and/or --pdf FILE")

    async def work(service):  # noqa: ANN001, ANN202
        return evaluation_detail(*(await service.get(ref)))

    detail = _with_service(work)
    if detail["status"] != "completed":
        raise _bad(f"evaluation {detail['id']} is {detail['status']}", "export a completed evaluation")
    written = []
    if args.html:
        from vibeflow.evaluation.report_html import write_html

        written.append(str(write_html(detail, args.html)))
    if args.pdf:
        from vibeflow.evaluation.report_pdf import write_pdf

        written.append(str(write_pdf(detail, args.pdf)))
    if args.json:
        print_json({"id": detail["id"], "files": written})
    else:
        for path in written:
            print(f"wrote {path}")
    return 0


def _list(run_ref: str | None, args: argparse.Namespace) -> int:
    from vibeflow.evaluation.views import evaluation_summary

    async def work(service):  # noqa: ANN001, ANN202
        return [evaluation_summary(ev) for ev in await service.list(run_ref)]

    rows = _with_service(work)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no evaluations yet. Evaluate a completed run with: vibeflow eval RUN")
        return 0
    for row in rows:
        score = (
            f"tuned {row['overall_tuned']:.0f} vs base {row['overall_base']:.0f}  {row['gate_label']}"
            if row["overall_tuned"] is not None
            else (row["error"] or {}).get("message", row["stage"] or "")
        )
        print(f"{row['id']}  {row['run_id']:<28} {row['status']:<10} {score}")
    return 0
