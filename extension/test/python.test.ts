import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { candidates, expandPath, InterpreterError, probeError, resolveInterpreter, venvPython, type PythonDeps } from "../src/python";

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
      assert.match(error.fix, /pip install/);
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
