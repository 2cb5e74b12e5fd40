/**
 * Finds the Python interpreter that runs the backend, in a documented order, and explains what to do when
 * none can import `vibeflow`. All I/O is injected, so the order and the messages are unit-tested.
 *
 * Order:
 *   1. the `vibeflow.pythonPath` setting (alias `vibeflow.python.interpreter`) — authoritative when set;
 *   2. the Python extension's active interpreter for the workspace, when that extension is installed;
 *   3. the workspace's `.venv/bin/python` (`.venv\Scripts\python.exe` on Windows);
 *   4. the managed environment VibeFlow can create (`<global storage>/venv`);
 *   5. `python3` (then `python`) on PATH.
 * The first candidate (after 1) that has VibeFlow's own `vibeflow` package, of the extension's version, wins
 * (checked without importing it: see PROBE_CODE).
 */

export type CandidateSource = "setting" | "python-extension" | "workspace-venv" | "managed-venv" | "path";

export interface Candidate {
  source: CandidateSource;
  command: string;
}

export interface ProbeResult {
  ok: boolean;
  version?: string;
  /** Why it failed (missing executable, ImportError, ...). */
  error?: string;
}

export interface PythonDeps {
  platform: NodeJS.Platform;
  workspaceFolders: string[];
  managedVenv: string | null;
  /** The Python extension's active interpreter, when that extension is installed. */
  activeInterpreter: () => Promise<string | undefined>;
  exists: (path: string) => boolean;
  /** Runs PROBE_CODE with `<command>` and reports. */
  probe: (command: string) => Promise<ProbeResult>;
  /** The extension's version: the backend found must be the same release. */
  expectedVersion?: string;
}

export interface Resolved {
  command: string;
  source: CandidateSource;
  version: string;
}

export class InterpreterError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    readonly tried: { candidate: Candidate; error: string }[],
    readonly canInstall: boolean,
  ) {
    super(message);
    this.name = "InterpreterError";
  }
}

export function venvPython(folder: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? `${folder}\\Scripts\\python.exe` : `${folder}/bin/python`;
}

/** Expands `${workspaceFolder}` and a leading `~` in a configured path. */
export function expandPath(value: string, workspaceFolder: string | undefined, home: string): string {
  let out = value;
  if (workspaceFolder) out = out.split("${workspaceFolder}").join(workspaceFolder);
  if (out === "~" || out.startsWith("~/")) out = home + out.slice(1);
  return out;
}

/** The candidates in order (without the setting, which is handled on its own). */
export async function candidates(deps: PythonDeps): Promise<Candidate[]> {
  const list: Candidate[] = [];
  const active = await deps.activeInterpreter().catch(() => undefined);
  if (active) list.push({ source: "python-extension", command: active });
  for (const folder of deps.workspaceFolders) {
    const venv = venvPython(`${folder}${deps.platform === "win32" ? "\\" : "/"}.venv`, deps.platform);
    if (deps.exists(venv)) list.push({ source: "workspace-venv", command: venv });
  }
  if (deps.managedVenv) {
    const managed = venvPython(deps.managedVenv, deps.platform);
    if (deps.exists(managed)) list.push({ source: "managed-venv", command: managed });
  }
  if (deps.platform === "win32") list.push({ source: "path", command: "python" });
  else list.push({ source: "path", command: "python3" }, { source: "path", command: "python" });
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.command) ? false : (seen.add(c.command), true)));
}

/** The probe's verdict, with a version other than the extension's turned into a failure. */
async function check(command: string, deps: PythonDeps): Promise<ProbeResult> {
  const result = await deps.probe(command);
  if (result.ok && deps.expectedVersion && result.version !== deps.expectedVersion) {
    return { ok: false, error: `it has vibeflow ${result.version ?? "?"}, this extension needs ${deps.expectedVersion}` };
  }
  return result;
}

export async function resolveInterpreter(setting: string, deps: PythonDeps): Promise<Resolved> {
  if (setting) {
    const result = await check(setting, deps);
    if (result.ok) return { command: setting, source: "setting", version: result.version ?? "" };
    throw new InterpreterError(
      `The interpreter in the 'vibeflow.pythonPath' setting (${setting}) cannot run the VibeFlow backend: ${result.error ?? "unknown error"}`,
      `install the backend there (\`${setting} -m pip install -e .\` in a VibeFlow checkout, or the wheel bundled with the extension), or clear the setting to let VibeFlow find one`,
      [{ candidate: { source: "setting", command: setting }, error: result.error ?? "" }],
      false,
    );
  }
  const tried: { candidate: Candidate; error: string }[] = [];
  for (const candidate of await candidates(deps)) {
    const result = await check(candidate.command, deps);
    if (result.ok) return { command: candidate.command, source: candidate.source, version: result.version ?? "" };
    tried.push({ candidate, error: result.error ?? "unknown error" });
  }
  const lines = tried.map((t) => `${t.candidate.command} (${t.candidate.source}): ${t.error}`).join("; ");
  throw new InterpreterError(
    `No Python interpreter with the VibeFlow backend was found. Tried: ${lines}`,
    "install the backend bundled with the extension into a managed environment (button below), or `pip install -e .` in a VibeFlow checkout and set 'vibeflow.pythonPath' to that environment's python",
    tried,
    true,
  );
}

/** Classifies a probe's stderr into a short reason. */
export function probeError(stderr: string, code: number | null, spawnError?: string): string {
  if (spawnError) return /ENOENT/.test(spawnError) ? "not found" : spawnError;
  if (/No module named ['"]?vibeflow/.test(stderr)) return "the vibeflow package is not installed in it";
  if (code === 5) return stderr.trim().split(/\r?\n/).pop() ?? "another project's vibeflow package";
  const last = stderr.trim().split(/\r?\n/).pop() ?? "";
  return last || `exited with code ${code ?? "?"}`;
}

/**
 * Identifies the backend without importing it (importing runs the package's code): `vibeflow` must be found,
 * hold VibeFlow's own files (another PyPI project is also called "vibeflow"), and its metadata gives the version.
 * Exit codes: 3 Python too old, 4 not installed, 5 another project.
 */
export const PROBE_CODE = [
  "import importlib.metadata as m, importlib.util as u, pathlib, sys",
  "sys.exit(3) if sys.version_info < (3, 11) else None",
  "spec = u.find_spec('vibeflow')",
  "roots = list(spec.submodule_search_locations or []) if spec else []",
  "sys.exit(print(\"No module named 'vibeflow'\", file=sys.stderr) or 4) if not roots else None",
  "root = pathlib.Path(roots[0])",
  "own = all((root / f).is_file() for f in ('lsp/server.py', 'recipe/vibeflow.schema.json', 'store/db.py'))",
  "sys.exit(print(f'the vibeflow package at {root} is another project, not the VibeFlow backend', file=sys.stderr) or 5) if not own else None",
  "print(m.version('vibeflow'))",
].join("\n");

/** What "Install Backend" may install: the extension's bundled wheel, a wheel/sdist file, a checkout folder or
 * a URL — never a bare name resolved against a public index (PyPI's "vibeflow" is someone else's project). */
export function installTarget(
  setting: string,
  bundledWheel: string | undefined,
): { target: string } | { error: string; fix: string } {
  const value = setting.trim();
  if (!value) {
    if (bundledWheel) return { target: bundledWheel };
    return {
      error: "this build of the extension has no bundled backend wheel",
      fix: "set 'vibeflow.install.source' to a VibeFlow wheel file, a VibeFlow checkout folder or a URL, or set 'vibeflow.pythonPath'",
    };
  }
  const isPath = /[\\/]/.test(value) || /\.(whl|zip|tar\.gz)$/i.test(value) || value === ".";
  const isUrl = /^(https?|file|git\+[a-z]+):\/\//i.test(value);
  if (isPath || isUrl) return { target: value };
  return {
    error: `'${value}' is a package name: pip would fetch whatever a public index calls that (PyPI's 'vibeflow' is an unrelated project)`,
    fix: "clear 'vibeflow.install.source' to install the backend bundled with the extension, or set it to a wheel file, a VibeFlow checkout folder or a URL",
  };
}
