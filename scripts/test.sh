#!/usr/bin/env bash
# Every test: lint, then the Python suite (offline; GPU tests skip with a reason when CUDA is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check server trainer tests bench
.venv/bin/ruff format --check server trainer tests bench
export VIBEFLOW_TEST=1
.venv/bin/python -m pytest -q -rs "$@"
