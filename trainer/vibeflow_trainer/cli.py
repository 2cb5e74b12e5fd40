"""Command line: `python -m vibeflow_trainer run|validate|demo-data|serve|evaluate`, with exit codes from event_schema."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from vibeflow_trainer import __version__
from vibeflow_trainer.event_schema import EXIT_CODES
from vibeflow_trainer.spec import RunSpec

_EPILOG = "exit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m vibeflow_trainer",
        description="VibeFlow trainer: fine-tune a causal LM (LoRA, QLoRA or full) from a run spec, printing one "
        "'@@vibeflow@@ {json}' event per line and journaling them to <output_dir>/events.jsonl.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vibeflow-trainer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="train from a JSON/YAML run spec", epilog=_EPILOG)
    run.formatter_class = argparse.RawDescriptionHelpFormatter
    run.add_argument("spec", help="path of the run spec (.json, .yaml or .yml)")
    run.add_argument(
        "--resume",
        default="auto",
        metavar="auto|none|PATH",
        help="auto (default): continue from the newest complete checkpoint in output_dir if any; none: start "
        "fresh (refused when checkpoints exist); PATH: a checkpoint-N directory",
    )
    validate = sub.add_parser(
        "validate", help="check a run spec, its datasets and its base model without training"
    )
    validate.add_argument("spec")
    demo = sub.add_parser(
        "demo-data", help="write a synthetic support-chat JSONL dataset for trying the trainer"
    )
    demo.add_argument("path")
    demo.add_argument("--rows", type=int, default=1000)
    demo.add_argument("--seed", type=int, default=0)
    serve = sub.add_parser(
        "serve", help="run the CPU inference engine (OpenAI API, LoRA adapters by name) from an engine spec"
    )
    serve.add_argument("spec", help="engine spec JSON written by the backend (see docs/deployment.md)")
    evaluate = sub.add_parser(
        "evaluate", help="generate with base and tuned model on the held-out split (see docs/evaluation.md)"
    )
    evaluate.add_argument("spec", help="path of the evaluation spec (.json)")
    return parser


def _validate(spec: RunSpec) -> dict[str, object]:
    from vibeflow_trainer.data import load_conversations
    from vibeflow_trainer.errors import InvalidSpecError

    train = load_conversations(spec.train_path, "train_path")
    evals = load_conversations(spec.eval_path, "eval_path") if spec.eval_path else None
    if spec.batch_size > len(train):
        raise InvalidSpecError(
            f"batch_size {spec.batch_size} is larger than the training set ({len(train)} conversations)",
            f"set batch_size to at most {len(train)} or add more training data",
        )
    if spec.method == "qlora" or spec.precision == "fp16" or spec.optimizer.endswith("8bit"):
        from vibeflow_trainer.hardware import check_environment

        check_environment(spec)
    from vibeflow_trainer.models import resolve_base_model

    model = spec.base_model
    if model != "vibeflow-demo-tiny":  # the demo base is built on first run; nothing to check
        model = resolve_base_model(model).source
    return {
        "ok": True,
        "run_id": spec.run_id,
        "train_rows": len(train),
        "eval_rows": len(evals) if evals else 0,
        "skipped_rows": len(train.skipped_rows),
        "base_model": model,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo-data":
        from vibeflow_trainer.demo_data import write_demo_dataset

        print(write_demo_dataset(args.path, rows=args.rows, seed=args.seed))
        return 0

    from vibeflow_trainer.errors import TrainerError
    from vibeflow_trainer.spec import load_spec, peek_identity

    if args.command == "evaluate":
        from vibeflow_trainer.evaluate.spec import load_eval_spec

        try:
            eval_spec = load_eval_spec(args.spec)
        except TrainerError as exc:
            print(json.dumps({"ok": False, "exit_code": exc.exit_code, **exc.to_event()}))
            return exc.exit_code
        from vibeflow_trainer.evaluate.runner import run_evaluation

        return run_evaluation(eval_spec)

    if args.command == "serve":
        from vibeflow_trainer.serve.http import serve
        from vibeflow_trainer.serve.spec import load_engine_spec

        try:
            return serve(load_engine_spec(args.spec))
        except TrainerError as exc:
            print(json.dumps({"ok": False, "exit_code": exc.exit_code, **exc.to_event()}), file=sys.stderr)
            return exc.exit_code

    if args.command == "validate":
        try:
            result = _validate(load_spec(args.spec))
        except TrainerError as exc:
            print(json.dumps({"ok": False, "exit_code": exc.exit_code, **exc.to_event()}))
            return exc.exit_code
        print(json.dumps(result))
        return 0

    try:
        spec = load_spec(args.spec)
    except TrainerError as exc:
        from vibeflow_trainer.events import EventWriter

        out, run_id = peek_identity(args.spec)
        try:
            events = EventWriter(out / "events.jsonl" if out else None, run_id=run_id)
        except OSError:
            events = EventWriter(None, run_id=run_id)
        events.emit("error", durable=True, exit_code=exc.exit_code, **exc.to_event())
        events.emit("stage", durable=True, stage="failed", detail={"error_type": exc.error_type})
        events.close()
        return exc.exit_code
    from vibeflow_trainer.engine import run

    return run(spec, resume=args.resume)


def entrypoint() -> None:
    sys.exit(main())
