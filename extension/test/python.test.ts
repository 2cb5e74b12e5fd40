import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { candidates, expandPath, installTarget, InterpreterError, probeError, PROBE_CODE, resolveInterpreter, venvPython, type PythonDeps } from "../src/python";

function deps(over: Partial<PythonDeps> & { good?: string[] } = {}): PythonDeps & { probed: string[] } {
  const probed: string[] = [];
  const good = new Set(over.good ?? []);
  return {
    platform: "linux",
    workspaceFolders: ["/ws"],
    managedVenv: "/store/venv",
    activeInterpreter: () => Promise.resolve(undefined),
    exists: () => false,
    probe: (command) => {
      probed.push(command);
      return Promise.resolve(good.has(command) ? { ok: true, version: "0.1.0" } : { ok: false, error: "the vibeflow package is not installed in it" });
    },
    ...over,
    probed,
  };
}

describe("interpreter resolution", () => {
  it("follows the documented order: Python extension, workspace .venv, managed venv, python3, python", async () => {
    const d = deps({ activeInterpreter: () => Promise.resolve("/ext/python"), exists: () => true });
    const list = await candidates(d);
    assert.deepEqual(
      list.map((c) => [c.source, c.command]),
      [
        ["python-extension", "/ext/python"],
        ["workspace-venv", "/ws/.venv/bin/python"],
        ["managed-venv", "/store/venv/bin/python"],
        ["path", "python3"],
        ["path", "python"],
      ],
    );
  });

  it("picks the first candidate that can import vibeflow", async () => {
    const d = deps({ exists: (p) => p === "/ws/.venv/bin/python", good: ["/ws/.venv/bin/python", "python3"] });
    const resolved = await resolveInterpreter("", d);
    assert.equal(resolved.command, "/ws/.venv/bin/python");
    assert.equal(resolved.source, "workspace-venv");
    assert.deepEqual(d.probed, ["/ws/.venv/bin/python"]);
  });

  it("falls through to python3 on PATH when no venv exists", async () => {
    const d = deps({ good: ["python3"] });
    const resolved = await resolveInterpreter("", d);
    assert.deepEqual([resolved.command, resolved.source, resolved.version], ["python3", "path", "0.1.0"]);
  });

  it("treats the setting as authoritative: no fallback when it fails, and names the fix", async () => {
    const d = deps({ good: ["python3"] });
    await assert.rejects(resolveInterpreter("/opt/py/bin/python", d), (error: unknown) => {
      assert.ok(error instanceof InterpreterError);
      assert.match(error.message, /vibeflow\.pythonPath/);
      assert.match(error.message, /not installed/);
      assert.match(error.fix, /pip install -e \./);
      assert.equal(error.canInstall, false);
      return true;
    });
    assert.deepEqual(d.probed, ["/opt/py/bin/python"]);
  });

  it("explains every candidate it tried and offers the managed install when none works", async () => {
    const d = deps({ activeInterpreter: () => Promise.resolve("/ext/python") });
    await assert.rejects(resolveInterpreter("", d), (error: unknown) => {
      assert.ok(error instanceof InterpreterError);
      assert.equal(error.canInstall, true);
      assert.deepEqual(error.tried.map((t) => t.candidate.command), ["/ext/python", "python3", "python"]);
      assert.match(error.message, /\/ext\/python \(python-extension\)/);
      return true;
    });
  });

  it("survives a Python extension whose API throws", async () => {
    const d = deps({ activeInterpreter: () => Promise.reject(new Error("boom")), good: ["python3"] });
    assert.equal((await resolveInterpreter("", d)).command, "python3");
  });

  it("uses Scripts\\python.exe and `python` on Windows", async () => {
    assert.equal(venvPython("C:\\ws\\.venv", "win32"), "C:\\ws\\.venv\\Scripts\\python.exe");
    const list = await candidates(deps({ platform: "win32", workspaceFolders: ["C:\\ws"], managedVenv: null, exists: () => true }));
    assert.deepEqual(list.map((c) => c.command), ["C:\\ws\\.venv\\Scripts\\python.exe", "python"]);
  });

  it("expands ${workspaceFolder} and ~ in the setting", () => {
    assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", "/ws", "/home/u"), "/ws/.venv/bin/python");
    assert.equal(expandPath("~/venv/bin/python", "/ws", "/home/u"), "/home/u/venv/bin/python");
    assert.equal(expandPath("/abs/python", undefined, "/home/u"), "/abs/python");
  });

  it("classifies probe failures", () => {
    assert.equal(probeError("", null, "ENOENT"), "not found");
    assert.equal(probeError("Traceback...\nModuleNotFoundError: No module named 'vibeflow'\n", 1), "the vibeflow package is not installed in it");
    assert.equal(probeError("ImportError: cannot import name x\n", 1), "ImportError: cannot import name x");
    assert.equal(probeError("", 2), "exited with code 2");
  });
});

describe("which backend is installed and accepted", () => {
  it("installs the bundled wheel by default and never a bare name from a public index", () => {
    assert.deepEqual(installTarget("", "/ext/dist/backend/vibeflow-0.1.0-py3-none-any.whl"), {
      target: "/ext/dist/backend/vibeflow-0.1.0-py3-none-any.whl",
    });
    for (const name of ["vibeflow", "vibeflow==0.1.0", " vibeflow[trainer] "]) {
      const chosen = installTarget(name, "/ext/w.whl");
      assert.ok("error" in chosen && /package name/.test(chosen.error) && /clear/.test(chosen.fix), name);
    }
    for (const ok of ["/home/me/vibeflow", "./vibeflow-0.1.0-py3-none-any.whl", "https://example.com/vibeflow-0.1.0.whl", "git+https://example.com/vibeflow.git"]) {
      assert.deepEqual(installTarget(ok, undefined), { target: ok });
    }
    assert.ok("error" in installTarget("", undefined));
  });

  it("rejects a backend of another version than the extension's", async () => {
    const d = deps({ good: ["python3"], expectedVersion: "0.2.0" });
    await assert.rejects(resolveInterpreter("", d), (error: unknown) => {
      assert.ok(error instanceof InterpreterError);
      assert.match(error.message, /python3 \(path\): it has vibeflow 0\.1\.0, this extension needs 0\.2\.0/);
      return true;
    });
    assert.equal((await resolveInterpreter("", deps({ good: ["python3"], expectedVersion: "0.1.0" }))).command, "python3");
  });

  const python = process.env.VIBEFLOW_TEST_PYTHON ?? resolve(__dirname, "../../.venv/bin/python");
  const skip = existsSync(python) ? false : `no interpreter at ${python}`;

  it("the probe identifies VibeFlow's own package by its files, without importing it", { skip }, () => {
    assert.match(execFileSync(python, ["-c", PROBE_CODE], { encoding: "utf8" }).trim(), /^\d+\.\d+\.\d+/);
    const impostor = mkdtempSync(join(tmpdir(), "vibeflow-impostor-"));
    const marker = join(impostor, "imported");
    mkdirSync(join(impostor, "vibeflow"));
    writeFileSync(join(impostor, "vibeflow", "__init__.py"), `open(${JSON.stringify(marker)}, "w").write("ran")\n`);
    const probed = spawnSync(python, ["-I", "-c", `import sys; sys.path.insert(0, ${JSON.stringify(impostor)})\n${PROBE_CODE}`], {
      encoding: "utf8",
    });
    assert.equal(probed.status, 5, probed.stderr);
    assert.match(probeError(probed.stderr, probed.status), /is another project, not the VibeFlow backend/);
    assert.equal(existsSync(marker), false, "the probe ran the other project's code");
  });
});
