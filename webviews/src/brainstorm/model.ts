/** Pure helpers of the brainstorm chat (unit-tested): the recommendation card's lines and the comparison table. */

import { str } from "../../../extension/src/text";
type J = Record<string, unknown>;

const obj = (v: unknown): J => (v && typeof v === "object" && !Array.isArray(v) ? (v as J) : {});

function money(v: unknown): string {
  return typeof v === "number" && Number.isFinite(v) ? `$${v < 10 ? v.toFixed(2) : Math.round(v).toString()}` : "?";
}

export interface RecSummary {
  title: string;
  cost: string;
  time: string;
  memory: string;
  hardware: string;
  settings: string;
  reasons: string[];
  warnings: string[];
}

/** The card's lines from a Recommendation (recommend/schemas.py) and its Estimate. */
export function recSummary(rec: J, estimateArg: J | null): RecSummary {
  const estimate = estimateArg ?? obj(rec.estimate);
  const cost = obj(estimate.cost);
  const chosen = obj(cost.chosen);
  const time = obj(estimate.time);
  const memory = obj(estimate.memory);
  const hp = obj(rec.hyperparameters);
  const settings = [
    typeof hp.learning_rate === "number" ? `lr ${hp.learning_rate.toExponential(1)}` : null,
    typeof hp.num_epochs === "number" ? `${hp.num_epochs} epochs` : null,
    typeof hp.batch_size === "number" ? `batch ${hp.batch_size}×${str(hp.gradient_accumulation ?? 1)}` : null,
    typeof hp.lora_r === "number" ? `LoRA r ${hp.lora_r}` : null,
  ].filter(Boolean);
  const method = str(rec.method ?? "").toUpperCase().replace("QLORA", "QLoRA").replace("LORA", "LoRA");
  return {
    title: `${str(rec.model_name ?? rec.base_model ?? "model")} · ${method || "?"}${rec.preset ? ` · ${str(rec.preset)}` : ""}`,
    cost: chosen.tier === "local" ? "free (your machine)" : `~${money(chosen.compute_usd)}${chosen.tier ? ` (${str(chosen.tier)}${chosen.low_usd !== undefined ? `, ${money(chosen.low_usd)}–${money(chosen.high_usd)}` : ""})` : ""}`,
    time: str(time.human ?? "?"),
    memory: typeof memory.total_gb === "number" ? `${memory.total_gb.toFixed(1)} GB` : "?",
    hardware: `${str(rec.device ?? estimate.device ?? "?")}${rec.target ? ` (${str(rec.target)}${rec.spot ? ", spot" : ""})` : ""}`,
    settings: settings.join(", ") || "preset defaults",
    reasons: Array.isArray(rec.reasons) ? rec.reasons.map(String) : [],
    warnings: Array.isArray(rec.warnings) ? rec.warnings.map(String) : [],
  };
}

const PREFERRED = ["label", "model_name", "base_model", "model", "method", "device", "cost_usd", "time_s", "time", "memory_gb", "score", "note"];

function cell(v: unknown, key: string): string {
  if (typeof v === "number") {
    if (key.endsWith("usd")) return money(v);
    if (key === "time_s") return v < 3600 ? `${Math.round(v / 60)} min` : `${(v / 3600).toFixed(1)} h`;
    return Number.isInteger(v) ? str(v) : v.toFixed(2);
  }
  if (v === null || v === undefined) return "–";
  if (typeof v === "object") return JSON.stringify(v);
  return str(v);
}

/** A table from the agent's `comparison` (a list of model rows, or {rows|models: [...]}); null when absent. */
export function comparisonTable(comparison: unknown): { columns: string[]; rows: string[][] } | null {
  const list = Array.isArray(comparison) ? comparison : (obj(comparison).rows ?? obj(comparison).models ?? obj(comparison).options);
  if (!Array.isArray(list) || list.length === 0) return null;
  const items = list.slice(0, 3).map(obj);
  const keys = new Set<string>();
  for (const item of items) for (const [k, v] of Object.entries(item)) if (typeof v !== "object" || v === null) keys.add(k);
  const columns = [...PREFERRED.filter((k) => keys.has(k)), ...[...keys].filter((k) => !PREFERRED.includes(k))].slice(0, 7);
  return { columns, rows: items.map((item) => columns.map((c) => cell(item[c], c))) };
}
