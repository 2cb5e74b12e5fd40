#!/usr/bin/env bash
# Installs a real VS Code for the end-to-end tests: code-server 4.100.3 (= VS Code 1.100.3, runs on Node 20)
# plus playwright-core, into a gitignored folder (default .e2e/code-server), driven later by Debian's Chromium.
#
# Only the npm and Debian registries are used: nothing downloads its own browser (playwright-core has no
# browser), and @vscode/ripgrep's GitHub download is satisfied from Debian's `ripgrep` through its cache.
# Idempotent: returns at once when the pinned versions are already installed.
#
# Usage: bash scripts/install-code-server.sh [DEST_DIR]
# Exit codes: 0 installed (or already there); 3 system packages missing and cannot be installed (not root,
# no passwordless sudo) — the message names the packages and the command that installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.2
dest="${1:-${VIBEFLOW_CODE_SERVER_DIR:-$PWD/.e2e/code-server}}"
stamp="$dest/.vibeflow-installed"
want="code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION"

# --- system packages: native-module headers, ripgrep, the browser -------------------------------------------
pkgs="libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config make g++ ripgrep chromium"
need=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
if [ -n "$need" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing system packages:$need, and this is not a Debian/Ubuntu system (no apt-get)." >&2
    echo "  fix: install the equivalents of:$need (Chromium must be at /usr/bin/chromium or set CHROMIUM)" >&2
    exit 3
  fi
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "error: the end-to-end tests need system packages that are not installed:$need" >&2
    echo "  installing them needs root, and this user is not root (and has no passwordless sudo)." >&2
    echo "  fix: sudo apt-get update && sudo apt-get install -y$need   then re-run this script" >&2
    exit 3
  fi
  echo "Installing system packages:$need" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $need >/dev/null
fi

if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && [ -x "$dest/node_modules/.bin/code-server" ] \
  && [ -f "$dest/node_modules/playwright-core/package.json" ]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $dest" >&2
  exit 0
fi
command -v node >/dev/null 2>&1 || { echo "error: Node.js 20 is required (node not found)." >&2; exit 2; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" = 20 ] || echo "warning: code-server $CODE_SERVER_VERSION is built for Node 20; found $(node --version)" >&2

# --- @vscode/ripgrep: its postinstall looks in a per-version cache before downloading; seed it with Debian's rg
case "$(uname -m)" in
  x86_64) rg_target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) rg_target=aarch64-unknown-linux-musl ;;
  *) rg_target="$(uname -m)-unknown-linux-gnu" ;;
esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$(command -v rg)" "$tmp/rg"
tar czf "$tmp/rg.tgz" -C "$tmp" rg
for v in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
  c="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$v"
  mkdir -p "$c"
  for rgv in v13.0.0-10 v13.0.0-11 v13.0.0-12 v13.0.0-13; do cp "$tmp/rg.tgz" "$c/ripgrep-$rgv-$rg_target.tar.gz"; done
done

# --- npm packages --------------------------------------------------------------------------------------------
echo "Installing code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION into $dest (a few minutes)…" >&2
mkdir -p "$dest"
[ -f "$dest/package.json" ] || printf '{"name":"vibeflow-e2e-code-server","private":true}\n' > "$dest/package.json"
# node-gyp builds code-server's native modules (argon2, kerberos, native-keymap, …) from Debian's headers.
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: belt and braces — playwright-core never downloads, and we use /usr/bin/chromium.
# code-server's postinstall calls `node-gyp` from PATH: give it one from npm, kept beside the install.
if ! command -v node-gyp >/dev/null 2>&1; then
  if [ ! -x "$dest/.node-gyp/node_modules/.bin/node-gyp" ]; then
    mkdir -p "$dest/.node-gyp"
    npm install --prefix "$dest/.node-gyp" --no-audit --no-fund --loglevel=error node-gyp@11 >/dev/null
  fi
  export PATH="$dest/.node-gyp/node_modules/.bin:$PATH"
fi
(
  cd "$dest"
  export npm_config_yes=true npm_config_unsafe_perm=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  npm install --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
)
"$dest/node_modules/.bin/code-server" --version >/dev/null
echo "$want" > "$stamp"
echo "code-server installed: $("$dest/node_modules/.bin/code-server" --version | head -1)" >&2
