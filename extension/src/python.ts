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
 * The first candidate (after 1) that can `import vibeflow` wins.
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
  /** Runs `<command> -c "import vibeflow; print(vibeflow.__version__)"` and reports. */
  probe: (command: string) => Promise<ProbeResult>;
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

export async function resolveInterpreter(setting: string, deps: PythonDeps): Promise<Resolved> {
  if (setting) {
    const result = await deps.probe(setting);
    if (result.ok) return { command: setting, source: "setting", version: result.version ?? "" };
    throw new InterpreterError(
      `The interpreter in the 'vibeflow.pythonPath' setting (${setting}) cannot run the VibeFlow backend: ${result.error ?? "unknown error"}`,
      `install it there with \`${setting} -m pip install vibeflow\` (or \`pip install -e .\` in a VibeFlow checkout), or clear the setting to let VibeFlow find one`,
      [{ candidate: { source: "setting", command: setting }, error: result.error ?? "" }],
      false,
    );
  }
  const tried: { candidate: Candidate; error: string }[] = [];
  for (const candidate of await candidates(deps)) {
    const result = await deps.probe(candidate.command);
    if (result.ok) return { command: candidate.command, source: candidate.source, version: result.version ?? "" };
    tried.push({ candidate, error: result.error ?? "unknown error" });
  }
  const lines = tried.map((t) => `${t.candidate.command} (${t.candidate.source}): ${t.error}`).join("; ");
  throw new InterpreterError(
    `No Python interpreter with the VibeFlow backend was found. Tried: ${lines}`,
    "install the backend into a managed environment (button below), or `pip install vibeflow` into your environment and set 'vibeflow.pythonPath' to its python",
    tried,
    true,
  );
}

/** Classifies a probe's stderr into a short reason. */
export function probeError(stderr: string, code: number | null, spawnError?: string): string {
  if (spawnError) return /ENOENT/.test(spawnError) ? "not found" : spawnError;
  if (/No module named ['"]?vibeflow/.test(stderr)) return "the vibeflow package is not installed in it";
  const last = stderr.trim().split(/\r?\n/).pop() ?? "";
  return last || `exited with code ${code ?? "?"}`;
}

export const PROBE_CODE = "import vibeflow, sys; print(vibeflow.__version__); sys.exit(0 if sys.version_info >= (3, 11) else 3)";
