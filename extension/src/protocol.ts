/**
 * The postMessage protocol between the extension and its webviews, shared by both sides so a message
 * shape can only change in one place. Webviews never talk to the backend: they send these messages and the
 * extension answers with the data it fetched.
 */

/** Messages any webview may send. */
export type CommonFromWebview =
  | { type: "ready" }
  | { type: "openFile"; path: string; line?: number }
  | { type: "command"; command: string; args?: unknown[] }
  | { type: "copy"; text: string };

/** Data quality report panel. */
export type ReportFromWebview =
  | CommonFromWebview
  | { type: "applyFixes"; ops: string[] }
  | { type: "importVersion" }
  | { type: "split"; test: number; seed: number }
  | { type: "setMapping"; inputCol: string; outputCol: string | null }
  | { type: "loadRows"; offset: number; limit: number; minScore: number | null; maxScore: number | null }
  | { type: "refresh" };

export interface ReportSource {
  /** The user's file, when the report is about a file (never modified by the report). */
  path: string | null;
  /** The stored dataset version, when there is one (fixes create new versions from it). */
  version: string | null;
}

export type ReportToWebview =
  | { type: "loading"; message: string }
  | { type: "report"; source: ReportSource; report: Record<string, unknown>; version: Record<string, unknown> | null }
  | { type: "mappingNeeded"; message: string; columns: string[]; guessInput: string | null; guessOutput: string | null }
  | { type: "rows"; total: number; offset: number; rows: Record<string, unknown>[] }
  | { type: "error"; message: string; fix: string };

/** Run monitor panel. */
export type MonitorFromWebview =
  | CommonFromWebview
  | { type: "stop" }
  | { type: "resume" }
  | { type: "retry"; changes: Record<string, unknown> | null }
  | { type: "evaluate" }
  | { type: "deploy" };

export interface MetricPoint {
  step: number;
  value: number | null;
}

export type MonitorToWebview =
  | { type: "run"; run: Record<string, unknown> }
  | { type: "series"; series: Record<string, [number, number | null][]> }
  | { type: "events"; events: Record<string, unknown>[] }
  | { type: "estimate"; estimate: Record<string, unknown> | null; monthlyBudgetUsd: number | null }
  | { type: "retryPlan"; plan: Record<string, unknown> | null }
  | { type: "connection"; state: "live" | "reconnecting" | "ended" }
  | { type: "error"; message: string; fix: string };

/** Brainstorm chat view. */
export type ChatFromWebview =
  | CommonFromWebview
  | { type: "send"; text: string }
  | { type: "pick" }
  | { type: "start" }
  | { type: "writeRecipe" }
  | { type: "learnMore" };

export interface ChatTurn {
  role: "user" | "assistant" | "notice";
  text: string;
}

export type ChatToWebview =
  | { type: "history"; turns: ChatTurn[]; reply: Record<string, unknown> | null }
  | { type: "thinking"; on: boolean }
  | { type: "reply"; reply: Record<string, unknown> }
  | { type: "error"; message: string; fix: string };

/** Evaluation and deployments panels (generic: they render whatever the backend's JSON holds). */
export type DetailFromWebview =
  | CommonFromWebview
  | { type: "refresh" }
  | { type: "action"; action: string; payload?: Record<string, unknown> };

export type DetailToWebview =
  | { type: "data"; data: Record<string, unknown> }
  | { type: "result"; action: string; data: Record<string, unknown> }
  | { type: "error"; message: string; fix: string };

const COMMON = new Set(["ready", "openFile", "command", "copy"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a message from a webview against the types it may send; anything else is dropped (a webview
 * is untrusted content, so the extension acts only on well-formed messages).
 */
export function parseMessage(raw: unknown, allowed: readonly string[]): { type: string; [key: string]: unknown } | null {
  if (!isRecord(raw) || typeof raw.type !== "string") return null;
  if (!COMMON.has(raw.type) && !allowed.includes(raw.type)) return null;
  const msg = raw as { type: string; [key: string]: unknown };
  switch (msg.type) {
    case "openFile":
      return typeof msg.path === "string" && (msg.line === undefined || Number.isInteger(msg.line)) ? msg : null;
    case "command":
      return typeof msg.command === "string" && msg.command.startsWith("vibeflow.") ? msg : null;
    case "copy":
      return typeof msg.text === "string" ? msg : null;
    case "applyFixes":
      return Array.isArray(msg.ops) && msg.ops.length > 0 && msg.ops.every((o) => typeof o === "string") ? msg : null;
    case "send":
      return typeof msg.text === "string" && msg.text.trim() !== "" ? msg : null;
    case "split":
      return typeof msg.test === "number" && msg.test > 0 && msg.test < 1 && Number.isInteger(msg.seed) ? msg : null;
    case "setMapping":
      return typeof msg.inputCol === "string" && (msg.outputCol === null || typeof msg.outputCol === "string")
        ? msg
        : null;
    case "loadRows":
      return Number.isInteger(msg.offset) && Number.isInteger(msg.limit) ? msg : null;
    case "retry":
      return msg.changes === null || isRecord(msg.changes) ? msg : null;
    case "action":
      return typeof msg.action === "string" && (msg.payload === undefined || isRecord(msg.payload)) ? msg : null;
    default:
      return msg;
  }
}

export const REPORT_MESSAGES = ["applyFixes", "importVersion", "split", "setMapping", "loadRows", "refresh"] as const;
export const MONITOR_MESSAGES = ["stop", "resume", "retry", "evaluate", "deploy"] as const;
export const CHAT_MESSAGES = ["send", "pick", "start", "writeRecipe", "learnMore"] as const;
export const DETAIL_MESSAGES = ["refresh", "action"] as const;
