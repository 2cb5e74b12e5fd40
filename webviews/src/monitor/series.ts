/**
 * Pure chart data of the run monitor (unit-tested): curves keyed by step where the latest value per step
 * wins (a resumed trainer re-emits steps), fed first by the downsampled history and then by live events.
 */

export type Point = [number, number | null];

export const CURVES = ["loss", "eval_loss", "learning_rate", "grad_norm", "tokens_per_s", "gpu_mem_used_mb", "gpu_mem_total_mb", "gpu_util_pct", "eta_s"] as const;

export class SeriesStore {
  private readonly curves = new Map<string, Map<number, number | null>>();

  load(series: Record<string, Point[]>): void {
    for (const [name, points] of Object.entries(series)) {
      const curve = this.curve(name);
      for (const [step, value] of points) curve.set(step, toNumber(value));
    }
  }

  /** Adds the values of a `metrics` event; returns true when a curve changed. */
  addEvent(event: Record<string, unknown>): boolean {
    if (event.type !== "metrics" || typeof event.step !== "number") return false;
    let changed = false;
    for (const name of CURVES) {
      if (name in event) {
        this.curve(name).set(event.step, toNumber(event[name]));
        changed = true;
      }
    }
    return changed;
  }

  private curve(name: string): Map<number, number | null> {
    let curve = this.curves.get(name);
    if (!curve) {
      curve = new Map();
      this.curves.set(name, curve);
    }
    return curve;
  }

  /** Points sorted by step. */
  points(name: string): Point[] {
    const curve = this.curves.get(name);
    if (!curve) return [];
    return [...curve.entries()].sort((a, b) => a[0] - b[0]);
  }

  /** The last finite value of a curve. */
  last(name: string): number | null {
    const points = this.points(name);
    for (let i = points.length - 1; i >= 0; i--) {
      const value = points[i]?.[1];
      if (typeof value === "number") return value;
    }
    return null;
  }

  /** Aligned columns for a chart: shared x (steps) and one y array per curve (null where a curve has no point). */
  aligned(names: string[]): [number[], ...(number | null)[][]] {
    const steps = new Set<number>();
    for (const name of names) for (const [step] of this.points(name)) steps.add(step);
    const xs = [...steps].sort((a, b) => a - b);
    const ys = names.map((name) => {
      const curve = this.curves.get(name);
      return xs.map((x) => (curve?.has(x) ? (curve.get(x) ?? null) : null));
    });
    return [xs, ...ys];
  }
}

function toNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** Whether a loss curve goes down: the mean of its last quarter is below the mean of its first quarter. */
export function isFalling(points: Point[]): boolean {
  const values = points.map((p) => p[1]).filter((v): v is number => typeof v === "number");
  if (values.length < 4) return false;
  const q = Math.max(1, Math.floor(values.length / 4));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return mean(values.slice(-q)) < mean(values.slice(0, q));
}

export interface CostView {
  runningUsd: number | null;
  estimateUsd: number | null;
  overPct: number | null;
  warn: boolean;
  local: boolean;
}

/** Running cost = elapsed hours × the estimate's hourly price; a warning past +20% of the estimate. */
export function runningCost(elapsedSeconds: number | null, estimate: Record<string, unknown> | null): CostView {
  const cost = (estimate?.cost ?? {}) as Record<string, unknown>;
  const chosen = (cost.chosen ?? null) as Record<string, unknown> | null;
  const request = (estimate?.request ?? {}) as Record<string, unknown>;
  if (!chosen) return { runningUsd: null, estimateUsd: null, overPct: null, warn: false, local: false };
  const local = chosen.tier === "local";
  const hourly = Number(chosen.usd_per_gpu_hour ?? 0) * Number(request.gpu_count ?? 1);
  const estimateUsd = typeof chosen.compute_usd === "number" ? chosen.compute_usd : null;
  const runningUsd = elapsedSeconds === null ? null : (elapsedSeconds / 3600) * hourly;
  const overPct = runningUsd !== null && estimateUsd ? ((runningUsd - estimateUsd) / estimateUsd) * 100 : null;
  return { runningUsd, estimateUsd, overPct, warn: overPct !== null && overPct > 20, local };
}

export const STAGES = ["provisioning", "preprocessing", "model_loading", "training", "finalizing"] as const;

/** Index of the current stage in STAGES (completed = past the end; unknown = -1). */
export function stageIndex(stage: string | null | undefined, status: string): number {
  if (status === "completed") return STAGES.length;
  const i = STAGES.indexOf((stage ?? "") as (typeof STAGES)[number]);
  return i;
}

/** Tick labels that stay readable for learning rates (2e-4) as well as losses (3.2) and token counts. */
export function formatTick(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "";
  const magnitude = Math.abs(value);
  if (magnitude === 0) return "0";
  if (magnitude < 0.01 || magnitude >= 1e6) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}
