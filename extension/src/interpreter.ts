/**
 * Wires python.ts to the real world: child processes for the probe, the file system, the Python
 * extension's API for its active interpreter, and the managed environment's install.
 */

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import * as vscode from "vscode";
import { log } from "./logger";
import { PROBE_CODE, expandPath, installTarget, probeError, resolveInterpreter, venvPython, type ProbeResult, type Resolved } from "./python";

export function probePython(command: string, env?: NodeJS.ProcessEnv): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(command, ["-c", PROBE_CODE], { timeout: 20_000, env }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ ok: true, version: stdout.trim() });
        return;
      }
      const spawn = (error as NodeJS.ErrnoException).code;
      const code = typeof spawn === "number" ? spawn : null;
      if (code === 3) {
        resolve({ ok: false, error: "Python 3.11 or newer is needed" });
        return;
      }
      resolve({ ok: false, error: probeError(stderr, code, typeof spawn === "string" ? spawn : undefined) });
    });
  });
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

async function pythonExtension(): Promise<PythonExtensionApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) return undefined;
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/** Fires when the Python extension's active interpreter changes (nothing when it is not installed). */
export async function onPythonInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  const api = await pythonExtension();
  const event = api?.environments?.onDidChangeActiveEnvironmentPath;
  return event ? event(listener) : undefined;
}

export function managedVenvDir(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.globalStorageUri, "venv").fsPath;
}

export async function findInterpreter(context: vscode.ExtensionContext, setting: string): Promise<Resolved> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const explicit = setting ? expandPath(setting, folders[0], homedir()) : "";
  return resolveInterpreter(explicit, {
    platform: process.platform,
    workspaceFolders: folders,
    managedVenv: managedVenvDir(context),
    activeInterpreter: async () => {
      const api = await pythonExtension();
      const path = api?.environments?.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri).path;
      return path && path !== "python" ? path : undefined;
    },
    exists: existsSync,
    probe: (command) => probePython(command),
    expectedVersion: extensionVersion(context),
  });
}

function extensionVersion(context: vscode.ExtensionContext): string | undefined {
  return (context.extension?.packageJSON as { version?: string } | undefined)?.version;
}

/** The backend wheel packaged inside the .vsix (dist/backend/vibeflow-<version>-py3-none-any.whl), if any. */
export function bundledWheel(context: vscode.ExtensionContext): string | undefined {
  const version = extensionVersion(context);
  if (!version) return undefined;
  const wheel = vscode.Uri.joinPath(context.extensionUri, "dist", "backend", `vibeflow-${version}-py3-none-any.whl`).fsPath;
  return existsSync(wheel) ? wheel : undefined;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    log.info(`$ ${command} ${args.join(" ")}`);
    const child = execFile(command, args, { timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 }, (error) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}`));
      else resolve();
    });
    child.stdout?.on("data", (d: Buffer) => log.info(d.toString().trimEnd()));
    child.stderr?.on("data", (d: Buffer) => log.info(d.toString().trimEnd()));
  });
}

/**
 * Creates `<global storage>/venv` with a system Python and installs the backend into it: the wheel bundled
 * with the extension, or `vibeflow.install.source` (a wheel, a checkout folder or a URL; never a bare name).
 * What got installed is checked (VibeFlow's own package, the extension's version) before anything imports it.
 */
export async function installManagedBackend(context: vscode.ExtensionContext, source: string): Promise<string> {
  const chosen = installTarget(source, bundledWheel(context));
  if ("error" in chosen) throw new InstallError(`cannot install the backend: ${chosen.error}`, chosen.fix);
  const dir = managedVenvDir(context);
  await vscode.workspace.fs.createDirectory(context.globalStorageUri);
  const base = process.platform === "win32" ? "python" : "python3";
  const python = venvPython(dir, process.platform);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "VibeFlow: installing the backend", cancellable: false },
    async (progress) => {
      if (!existsSync(python)) {
        progress.report({ message: "creating a virtual environment" });
        await run(base, ["-m", "venv", dir]);
      }
      progress.report({ message: `pip install ${chosen.target} (see VibeFlow logs)` });
      await run(python, ["-m", "pip", "install", "--upgrade", chosen.target]);
      progress.report({ message: "checking what was installed" });
    },
  );
  const installed = await probePython(python);
  const expected = extensionVersion(context);
  if (!installed.ok || (expected && installed.version !== expected)) {
    throw new InstallError(
      `the backend installed from ${chosen.target} is not usable: ${installed.error ?? `vibeflow ${installed.version ?? "?"}, this extension needs ${expected ?? "?"}`}`,
      "clear 'vibeflow.install.source' to install the wheel bundled with the extension, or point it at a VibeFlow wheel or checkout of this version",
    );
  }
  return python;
}

export class InstallError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = "InstallError";
  }
}
