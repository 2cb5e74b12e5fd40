/**
 * Pure model behind the Runs view: applies the status stream (`snapshot`, then one `run` event per change)
 * to an ordered run list, and maps a run to its icon, label and description.
 */

export interface RunSummary {
  id: string;
  name?: string | null;
  status: string;
  stage?: string | null;
  progress?: number | null;
  loss?: number | null;
  eta_seconds?: number | null;
  created_at?: string | null;
  method?: string | null;
  base_model?: string | null;
  error?: string | null;
  [key: string]: unknown;
}

export class RunList {
  private runs = new Map<string, RunSummary>();

  /** Applies one SSE event of `/api/runs/stream`; returns true when the list changed. */
  apply(event: string, data: unknown): boolean {
    if (event === "snapshot") {
      const runs = (data as { runs?: RunSummary[] }).runs ?? [];
      this.runs = new Map(runs.filter((r) => typeof r.id === "string").map((r) => [r.id, r]));
      return true;
    }
    if (event === "run") {
      const run = data as RunSummary;
      if (typeof run.id !== "string") return false;
      this.runs.set(run.id, { ...this.runs.get(run.id), ...run });
      return true;
    }
    return false;
  }

  replace(runs: RunSummary[]): void {
    this.runs = new Map(runs.map((r) => [r.id, r]));
  }

  get(id: string): RunSummary | undefined {
    return this.runs.get(id);
  }

  /** Newest first. */
  list(): RunSummary[] {
    return [...this.runs.values()].sort((a, b) => String(b.created_at ?? "").localeCompare(String(a.created_at ?? "")));
  }
}

export const ACTIVE = new Set(["queued", "running", "stopping"]);

/** Codicon id and theme color per status. */
export function runIcon(status: string): { id: string; color: string | null } {
  switch (status) {
    case "queued":
      return { id: "clock", color: null };
    case "running":
      return { id: "sync~spin", color: "charts.blue" };
    case "stopping":
      return { id: "loading~spin", color: "charts.yellow" };
    case "completed":
      return { id: "pass-filled", color: "testing.iconPassed" };
    case "failed":
      return { id: "error", color: "testing.iconFailed" };
    case "stopped":
      return { id: "debug-stop", color: "charts.yellow" };
    case "orphaned":
      return { id: "warning", color: "charts.orange" };
    default:
      return { id: "circle-outline", color: null };
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return `${h} h ${Math.round((seconds - h * 3600) / 60)} min`;
}

export function runDescription(run: RunSummary): string {
  const parts: string[] = [run.status];
  if (run.status === "running") {
    if (run.stage && run.stage !== "training") parts.push(run.stage.replace(/_/g, " "));
    if (typeof run.progress === "number") parts.push(`${Math.round(run.progress * 100)}%`);
    if (typeof run.loss === "number") parts.push(`loss ${run.loss.toFixed(3)}`);
    if (typeof run.eta_seconds === "number") parts.push(`ETA ${formatDuration(run.eta_seconds)}`);
  } else if (run.status === "completed" && typeof run.loss === "number") {
    parts.push(`loss ${run.loss.toFixed(3)}`);
  }
  return parts.join(" · ");
}

/** contextValue for menus: `run-<status>` plus flags the `when` clauses test with regexes. */
export function runContext(run: RunSummary): string {
  const flags = [`run-${run.status}`];
  if (ACTIVE.has(run.status)) flags.push("stoppable");
  if (["stopped", "failed", "orphaned"].includes(run.status)) flags.push("resumable");
  if (["completed", "failed", "stopped", "orphaned"].includes(run.status)) flags.push("retryable");
  if (run.status === "completed") flags.push("finished");
  return flags.join(" ");
}
