#!/usr/bin/env bash
# The main job on the offline default: set up, then run `vibeflow demo` on a bundled example dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export VIBEFLOW_HOME="${VIBEFLOW_HOME:-$PWD/.vibeflow-demo}"
exec .venv/bin/python -m vibeflow demo "$@"
