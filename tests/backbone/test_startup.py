"""The CLI and the API server start without importing torch/transformers (the language server's cold path)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "transformers", "trl", "peft")

PROBE = """
import asyncio, json, sys
from vibeflow.cli.main import build_parser
build_parser().format_help()
after_help = [m for m in {heavy} if m in sys.modules]
from vibeflow.api.app import create_app
from vibeflow.settings import load_settings
app = create_app(load_settings(), "t")
async def start():
    async with app.router.lifespan_context(app):
        pass
asyncio.run(start())
after_serve = [m for m in {heavy} if m in sys.modules]
print(json.dumps({{"help": after_help, "serve": after_serve}}))
"""


def test_help_and_serve_startup_do_not_import_torch() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=repr(HEAVY))], capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == {"help": [], "serve": []}


def test_help_exits_zero_everywhere() -> None:
    for args in (["--help"], ["data", "--help"], ["data", "report", "--help"], ["serve", "--help"]):
        result = subprocess.run([sys.executable, "-m", "vibeflow", *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "usage: vibeflow" in result.stdout
