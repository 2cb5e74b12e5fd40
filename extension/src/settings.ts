/**
 * The extension's settings as one typed object, read through an injected getter so the rules (defaults,
 * aliases, which changes need a server restart, what reaches the backend's environment) are unit-tested.
 */

export interface VibeFlowSettings {
  /** Explicit interpreter (`vibeflow.pythonPath`, or its alias `vibeflow.python.interpreter`); "" = auto. */
  pythonPath: string;
  /** VIBEFLOW_HOME for the backend; "" = the backend's default (~/.vibeflow). */
  home: string;
  monthlyBudgetUsd: number | null;
  geminiModel: string;
  autoEvaluate: boolean;
  maxConcurrentRuns: number;
  logLevel: "DEBUG" | "INFO" | "WARNING" | "ERROR";
  extraEnv: Record<string, string>;
}

export type Getter = (key: string) => unknown;

const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;

function str(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** Reads the settings (`get("pythonPath")` = `vibeflow.pythonPath`) with defaults for missing or bad values. */
export function readSettings(get: Getter): VibeFlowSettings {
  const budget = get("budget.monthlyUsd");
  const level = str(get("server.logLevel")).toUpperCase();
  const maxRuns = get("runs.maxConcurrent");
  const env = get("server.env");
  const extraEnv: Record<string, string> = {};
  if (env && typeof env === "object" && !Array.isArray(env)) {
    for (const [key, value] of Object.entries(env as Record<string, unknown>)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && typeof value === "string") extraEnv[key] = value;
    }
  }
  return {
    pythonPath: str(get("pythonPath")) || str(get("python.interpreter")),
    home: str(get("home")),
    monthlyBudgetUsd: typeof budget === "number" && Number.isFinite(budget) && budget >= 0 ? budget : null,
    geminiModel: str(get("agent.geminiModel")) || "gemini-2.5-flash",
    autoEvaluate: get("evaluation.autoEvaluate") !== false,
    maxConcurrentRuns: typeof maxRuns === "number" && Number.isInteger(maxRuns) && maxRuns >= 1 ? maxRuns : 1,
    logLevel: (LOG_LEVELS as readonly string[]).includes(level) ? (level as VibeFlowSettings["logLevel"]) : "WARNING",
    extraEnv,
  };
}

/** Setting keys (under `vibeflow.`) whose change needs the backend to restart (they are read at its start). */
export const RESTART_KEYS = [
  "pythonPath",
  "python.interpreter",
  "home",
  "budget.monthlyUsd",
  "agent.geminiModel",
  "evaluation.autoEvaluate",
  "runs.maxConcurrent",
  "server.logLevel",
  "server.env",
] as const;

export interface Secrets {
  geminiApiKey?: string;
  huggingFaceToken?: string;
}

/**
 * The backend process environment: the editor's environment plus what the settings and secrets say.
 * Secrets go only here (never into settings files or logs).
 */
export function serverEnv(
  base: Record<string, string | undefined>,
  settings: VibeFlowSettings,
  secrets: Secrets,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  Object.assign(env, settings.extraEnv);
  env.PYTHONUNBUFFERED = "1";
  env.VIBEFLOW_CLIENT = "vscode";
  if (settings.home) env.VIBEFLOW_HOME = settings.home;
  if (settings.monthlyBudgetUsd !== null) env.VIBEFLOW_MONTHLY_BUDGET_USD = String(settings.monthlyBudgetUsd);
  env.VIBEFLOW_GEMINI_MODEL = settings.geminiModel;
  env.VIBEFLOW_AUTO_EVALUATE = settings.autoEvaluate ? "1" : "0";
  env.VIBEFLOW_MAX_RUNS = String(settings.maxConcurrentRuns);
  if (secrets.geminiApiKey) env.GEMINI_API_KEY = secrets.geminiApiKey;
  if (secrets.huggingFaceToken) env.HF_TOKEN = secrets.huggingFaceToken;
  return env;
}

/** Names of variables whose values must never be logged. */
export const SECRET_ENV = ["GEMINI_API_KEY", "GOOGLE_API_KEY", "HF_TOKEN", "VIBEFLOW_TOKEN"];

/** The environment as a loggable string: secrets masked, only VibeFlow-related variables. */
export function describeEnv(env: Record<string, string>): string {
  return Object.keys(env)
    .filter((k) => k.startsWith("VIBEFLOW_") || SECRET_ENV.includes(k) || k === "HF_HUB_OFFLINE")
    .sort()
    .map((k) => `${k}=${SECRET_ENV.includes(k) ? "***" : env[k]}`)
    .join(" ");
}
