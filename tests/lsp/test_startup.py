"""The language server's cold path imports no torch/transformers, and no datasets/pyarrow until data work starts."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from vibeflow.cli.main import build_parser
build_parser()
from vibeflow.lsp.runner import run
from vibeflow.lsp.server import create_server
create_server()
cold = sorted(m for m in ("torch", "transformers", "datasets", "pyarrow", "pandas", "fastapi") if m in sys.modules)
from vibeflow.lsp.scanners import pii_finder, token_counter
pii_finder()(["mail me at a@b.co"])
token_counter("vibeflow-demo-tiny")
from vibeflow.lsp.advice import advise
from vibeflow.recipe.loader import validate_text
from vibeflow.recipe.presets import resolve_training
recipe, _ = validate_text("name: x\\ndata:\\n  path: t.jsonl\\n")
advise(recipe, resolve_training(recipe), {"rows": 100, "approximate": True}, "cpu")
warm = sorted(m for m in ("torch", "transformers", "trl", "peft") if m in sys.modules)
print(json.dumps({"cold": cold, "warm": warm}))
"""


def test_lsp_paths_stay_light() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"cold": [], "warm": []}


def test_lsp_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vibeflow", "lsp", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "vibeflow/ready" in result.stdout
