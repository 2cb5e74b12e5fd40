#!/usr/bin/env bash
# Idempotent setup: a virtual environment in .venv with the backend, the trainer (CPU torch 2.13.0) and dev tools.
# Re-runs are fast: the install is skipped while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  echo "error: VibeFlow needs Python 3.11 (found $("$PY" --version 2>&1))." >&2
  echo "  fix: install Python 3.11 and re-run, or set PYTHON=/path/to/python3.11" >&2
  exit 2
}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.vibeflow-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing VibeFlow into .venv (first run takes a few minutes)…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  # torch first and pinned: an unpinned torch would pull multi-GB CUDA wheels.
  .venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[trainer,dev]'
  echo "$want" > "$stamp"
fi
