"""Real-VS-Code fixtures: one code-server per session with the built .vsix installed, a fresh workspace per test.

Each test copies examples/workspace, opens it in code-server through Chromium (tests/e2e/drive.mjs, Node +
playwright-core) and compares what the UI showed with the CLI's `--json` output for the same input.
Screenshots and logs go to tests/e2e/artifacts/ (override with VIBEFLOW_E2E_ARTIFACTS).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E = Path(__file__).resolve().parent
CODE_SERVER_DIR = Path(os.environ.get("VIBEFLOW_CODE_SERVER_DIR", REPO / ".e2e" / "code-server"))
CODE_SERVER = CODE_SERVER_DIR / "node_modules" / ".bin" / "code-server"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
VSIX = Path(os.environ.get("VIBEFLOW_VSIX", REPO / "build" / "vibeflow.vsix"))
PYTHON = Path(os.environ.get("VIBEFLOW_E2E_PYTHON", REPO / ".venv" / "bin" / "python"))
ARTIFACTS = Path(os.environ.get("VIBEFLOW_E2E_ARTIFACTS", E2E / "artifacts"))
WORKSPACE_TEMPLATE = REPO / "examples" / "workspace"
EXTENSION_ID = "vibeflow.vibeflow"
# scripts/test.sh sets this after installing code-server and building the .vsix: then nothing may be missing.
REQUIRED = os.environ.get("VIBEFLOW_E2E_REQUIRED") == "1"


def _missing() -> list[str]:
    missing = []
    if not CODE_SERVER.exists():
        missing.append(f"code-server ({CODE_SERVER}; install: bash scripts/install-code-server.sh)")
    elif not (CODE_SERVER_DIR / "node_modules" / "playwright-core").exists():
        missing.append("playwright-core (install: bash scripts/install-code-server.sh)")
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM}; install: apt-get install chromium)")
    if not VSIX.exists():
        missing.append(f"the extension package {VSIX} (build: npm ci && npm run package)")
    if not PYTHON.exists():
        missing.append(f"the backend's Python {PYTHON} (install: bash scripts/setup.sh)")
    if shutil.which("node") is None:
        missing.append("node (Node.js 20)")
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, chars: int = 6000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path} not found)"
    return text[-chars:]


@dataclass
class CodeServer:
    """A running code-server with VibeFlow installed; `home` is the backend's VIBEFLOW_HOME for every window."""

    port: int
    user_data: Path
    extensions: Path
    home: Path
    log: Path
    proc: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)

    def url(self, folder: Path) -> str:
        return f"http://127.0.0.1:{self.port}/?folder={quote(str(folder))}"

    def cli(self, *args: str, cwd: Path | None = None, timeout: float = 300, check: bool = True) -> dict:
        """Runs `vibeflow ARGS --json` against the same VIBEFLOW_HOME as the extension and returns the JSON
        (with check=False, also when it fails: the error's JSON)."""
        env = dict(os.environ, VIBEFLOW_HOME=str(self.home), **self.env)
        done = subprocess.run(
            [str(PYTHON), "-m", "vibeflow", *args, "--json"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0 or not check, (
            f"vibeflow {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
        return json.loads(done.stdout)

    def vscode_logs(self) -> list[Path]:
        logs = self.user_data / "logs"
        return sorted(logs.rglob("*.log")) if logs.exists() else []

    def diagnostics(self) -> str:
        """The code-server log and VS Code's own logs (extension host, VibeFlow output channel), for failures."""
        parts = [f"--- code-server log ({self.log}) ---\n{_tail(self.log)}"]
        for log in self.vscode_logs():
            if any(k in log.name.lower() for k in ("exthost", "vibeflow", "remoteagent", "server")):
                parts.append(f"--- {log.relative_to(self.user_data)} ---\n{_tail(log, 4000)}")
        return "\n".join(parts)


def _write_settings(user_data: Path, home: Path) -> None:
    settings = {
        "vibeflow.pythonPath": str(PYTHON),
        "vibeflow.home": str(home),
        "vibeflow.server.env": {
            "HF_HUB_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        },
        "vibeflow.evaluation.autoEvaluate": False,
        "workbench.startupEditor": "none",
        "workbench.welcomePage.walkthroughs.openOnInstall": False,
        "workbench.tips.enabled": False,
        "workbench.enableExperiments": False,
        "security.workspace.trust.enabled": False,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoUpdate": False,
        "extensions.autoCheckUpdates": False,
        "extensions.ignoreRecommendations": True,
        "git.enabled": False,
        "files.autoSave": "off",
        "window.restoreWindows": "none",
        "chat.commandCenter.enabled": False,
    }
    (user_data / "User").mkdir(parents=True, exist_ok=True)
    (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))


def _stop(proc: subprocess.Popen[bytes], home: Path) -> None:
    """Stops code-server with its process group, then any process of ours still using `home` (a detached
    training run keeps going when its editor closes, by design)."""
    import psutil

    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    left = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if p.pid != os.getpid() and (
                any(str(home) in arg for arg in p.info["cmdline"] or ())
                or p.environ().get("VIBEFLOW_HOME") == str(home)
            ):
                left.append(p)
    for p in left:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(left, timeout=10)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()


@pytest.fixture(scope="session")
def code_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CodeServer]:
    missing = _missing()
    if missing:
        message = "real-VS-Code tests need: " + "; ".join(missing)
        if REQUIRED:
            pytest.fail(
                message + " (VIBEFLOW_E2E_REQUIRED=1: scripts/test.sh installed them, so this is a bug)"
            )
        pytest.skip(message)
    root = tmp_path_factory.mktemp("code-server")
    user_data, extensions, home = root / "user-data", root / "extensions", root / "vibeflow-home"
    for d in (user_data, extensions, home):
        d.mkdir()
    _write_settings(user_data, home)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(ARTIFACTS / "vscode-logs", ignore_errors=True)
    log = ARTIFACTS / "code-server.log"
    env = {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "VIBEFLOW_AUTO_EVAL": "0",
    }
    # No Gemini key: the brainstorm agent must take its offline path, whatever the developer's shell holds.
    drop = ("VSCODE_", "ELECTRON_", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_")
    proc_env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    proc_env.update(env, VIBEFLOW_HOME=str(home))
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    config = root / "config.yaml"  # otherwise code-server writes ~/.config/code-server/config.yaml
    config.write_text("auth: none\ncert: false\n")
    install = subprocess.run(
        [str(CODE_SERVER), "--config", str(config), *common, "--install-extension", str(VSIX), "--force"],
        capture_output=True,
        text=True,
        timeout=180,
        env=proc_env,
    )
    assert install.returncode == 0 and "successfully installed" in install.stdout, (
        f"installing {VSIX} into code-server failed:\n{install.stdout}\n{install.stderr}"
    )
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(CODE_SERVER),
                "--config",
                str(config),
                "--auth",
                "none",
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                *common,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=proc_env,
            start_new_session=True,
        )
    server = CodeServer(port, user_data, extensions, home, log, proc, env)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"code-server did not start:\n{_tail(log)}")
        time.sleep(0.3)
    try:
        yield server
    finally:
        _stop(proc, home)
        # Keep VS Code's logs (extension host, VibeFlow output channel) next to the screenshots.
        logs = user_data / "logs"
        if logs.exists():
            shutil.copytree(logs, ARTIFACTS / "vscode-logs", dirs_exist_ok=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of examples/workspace (symlinked datasets copied as real files)."""
    dest = tmp_path / "workspace"
    copy_workspace(dest)
    return dest


def copy_workspace(dest: Path) -> None:
    """examples/workspace, on the random-weights test model: these tests check the IDE, not what a model learns
    (the real default base is trained end to end by tests/trainer/test_smollm2.py and the demo)."""
    shutil.copytree(WORKSPACE_TEMPLATE, dest, symlinks=False)
    recipe = dest / "vibeflow.yaml"
    text = recipe.read_text(encoding="utf-8")
    swapped = re.sub(r"^base_model: \S+", "base_model: vibeflow-demo-tiny", text, count=1, flags=re.MULTILINE)
    assert swapped != text, "examples/workspace/vibeflow.yaml has no base_model line to swap"
    recipe.write_text(swapped, encoding="utf-8")


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    d = ARTIFACTS / request.node.name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


@dataclass
class Driver:
    server: CodeServer
    artifacts: Path

    def __call__(self, scenario: str, workspace: Path, timeout: float = 300, **params: object) -> dict:
        """Runs one scenario of tests/e2e/scenarios.mjs in Chromium and returns what it observed."""
        cmd = [
            "node",
            str(E2E / "drive.mjs"),
            scenario,
            "--url",
            self.server.url(workspace),
            "--artifacts",
            str(self.artifacts),
            "--params",
            json.dumps(params),
        ]
        log = self.artifacts / "driver.log"  # the scenario's steps, written as they happen
        with log.open("w") as err:
            try:
                done = subprocess.run(
                    cmd, stdout=subprocess.PIPE, stderr=err, text=True, timeout=timeout, cwd=REPO
                )
            except subprocess.TimeoutExpired:
                pytest.fail(
                    f"scenario {scenario} timed out after {timeout}s\n{_tail(log, 4000)}\n{self.where()}"
                )
        result = next((ln[7:] for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if done.returncode != 0 or result is None:
            pytest.fail(
                f"scenario {scenario} failed (exit {done.returncode}):\n{_tail(log, 5000)}\n{self.where()}"
            )
        return json.loads(result)

    def where(self) -> str:
        return f"screenshots and logs: {self.artifacts}  (code-server log: {self.server.log})"


@pytest.fixture
def drive(code_server: CodeServer, artifacts: Path) -> Driver:
    return Driver(code_server, artifacts)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """On an e2e failure, attach the code-server/VS Code logs and say where the screenshots are."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "code_server" in getattr(item, "fixturenames", ()):
        server = item.funcargs.get("code_server")
        if isinstance(server, CodeServer):
            report.sections.append(("code-server and VS Code logs", server.diagnostics()))
        report.sections.append(("artifacts", f"screenshots: {ARTIFACTS / item.name}"))
        print(f"\nE2E failure artifacts: {ARTIFACTS / item.name}", file=sys.stderr)
