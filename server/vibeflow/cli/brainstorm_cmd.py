"""`vibeflow brainstorm`: the brainstorm agent from the shell — one-shot messages, a REPL, and recipe writing."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from vibeflow.cli.output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "brainstorm",
        help="chat with the brainstorm agent about model, method, hardware and cost",
        description="Talk to the brainstorm agent (Gemini with GEMINI_API_KEY, else the offline recommender). "
        "With --message (repeatable) each message is one turn; without it and on a terminal, an interactive "
        "chat starts (empty line or Ctrl-D ends it); otherwise messages are read from stdin, one per line. "
        "The conversation is kept per project, so later calls continue it.",
    )
    p.add_argument("--message", "-m", action="append", default=[], help="a chat message (repeatable)")
    p.add_argument("--project", default="default", help="project whose conversation to continue (default)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--dataset", help="a stored dataset version to plan for (NAME, NAME@N or id)")
    data.add_argument("--data", type=Path, help="a data file to plan for (sampled like `vibeflow estimate`)")
    p.add_argument("--pick", action="store_true", help="'Let AI pick': recommend now from what is known")
    p.add_argument("--reset", action="store_true", help="start a new conversation (the old one is archived)")
    p.add_argument(
        "--write-recipe",
        type=Path,
        metavar="PATH",
        help="write the agreed recommendation as a vibeflow.yaml to PATH (refuses to overwrite)",
    )
    p.add_argument("--force", action="store_true", help="with --write-recipe: overwrite an existing file")
    add_json_flag(p)
    p.set_defaults(handler=cmd_brainstorm)


def _print_turn(turn: dict[str, Any]) -> None:
    print(turn["reply"])
    if turn.get("notice"):
        print(f"ℹ {turn['notice']}", file=sys.stderr)
    if turn.get("suggested_replies"):
        print("  suggestions: " + " | ".join(turn["suggested_replies"]))


def _messages(args: argparse.Namespace) -> tuple[list[str], bool]:
    if args.message:
        return list(args.message), False
    if args.pick or args.reset or args.write_recipe:
        return [], False
    if sys.stdin.isatty():
        return [], True
    return [line.strip() for line in sys.stdin if line.strip()], False


def cmd_brainstorm(args: argparse.Namespace) -> int:
    from vibeflow.errors import VibeFlowError
    from vibeflow.recommend.agent import BrainstormAgent
    from vibeflow.settings import load_settings
    from vibeflow.store.db import open_database

    messages, interactive = _messages(args)
    if args.write_recipe and args.write_recipe.exists() and not args.force:
        raise VibeFlowError(
            f"{args.write_recipe} already exists", fix="choose another path, or pass --force to overwrite it"
        )
    settings = load_settings()
    turns: list[dict[str, Any]] = []
    out: dict[str, Any] = {"project": args.project}

    async def run() -> None:
        async with open_database(settings) as db:

            async def agent_call(method: str, *call_args: Any) -> Any:
                async with db.session() as session:
                    agent = BrainstormAgent(session, settings)
                    return await getattr(agent, method)(*call_args)

            if args.reset:
                out["reset"] = await agent_call("reset", args.project)
            dataset = args.dataset
            data_file = str(args.data.resolve()) if args.data else None
            for message in messages:
                turn = await agent_call("send", args.project, message, dataset, data_file)
                dataset = data_file = None
                turns.append(turn)
                if not args.json:
                    _print_turn(turn)
            if interactive:
                print("Brainstorm — describe what you want to fine-tune (empty line to finish).")
                while True:
                    try:
                        line = await asyncio.to_thread(input, "you> ")
                    except EOFError:
                        break
                    if not line.strip():
                        break
                    turn = await agent_call("send", args.project, line, dataset, data_file)
                    dataset = data_file = None
                    turns.append(turn)
                    _print_turn(turn)
            if args.pick:
                turn = await agent_call("pick", args.project, dataset, data_file)
                turns.append(turn)
                if not args.json:
                    _print_turn(turn)
            if args.write_recipe:
                folder = str(args.write_recipe.resolve().parent)
                out["recipe"] = await agent_call("recipe", args.project, None, folder)

    asyncio.run(run())
    if args.write_recipe:
        recipe = out["recipe"]
        mode = "w" if args.force else "x"  # "x": never clobber a file created meanwhile
        args.write_recipe.parent.mkdir(parents=True, exist_ok=True)
        with open(args.write_recipe, mode, encoding="utf-8") as handle:
            handle.write(recipe["yaml"])
        recipe["path"] = str(args.write_recipe)
        if not args.json:
            print(f"wrote {args.write_recipe} — check it with: {recipe['estimate_command']}")
    if args.json:
        out["turns"] = turns
        print_json(out)
    return 0
