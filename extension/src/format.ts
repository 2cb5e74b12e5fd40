/**
 * Markdown for "Estimate cost & time" and "Why these settings?" from the backend's JSON (pure, tested),
 * so both read the same numbers the CLI prints.
 */

import { str } from "./text";
type J = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const obj = (v: unknown): J => (v && typeof v === "object" && !Array.isArray(v) ? (v as J) : {});

export function usd(value: unknown): string {
  const n = num(value);
  if (n === null) return "?";
  return n < 10 ? `$${n.toFixed(2)}` : `$${Math.round(n).toLocaleString("en-US")}`;
}

/** One line: `~$1.20 · 25 min on A100-80GB (fits: 31.2 GB)`. */
export function estimateSummary(estimate: J): string {
  const time = obj(estimate.time);
  const cost = obj(estimate.cost);
  const chosen = obj(cost.chosen);
  const memory = obj(estimate.memory);
  const price = chosen.tier === "local" ? "free (local)" : `~${usd(chosen.compute_usd)}`;
  const gb = num(memory.total_gb);
  return `${price} · ${str(time.human ?? "?")} on ${str(estimate.device ?? "?")}${gb !== null ? ` · ${gb.toFixed(1)} GB memory` : ""}`;
}

export function estimateMarkdown(estimate: J, title = "Estimate"): string {
  const time = obj(estimate.time);
  const cost = obj(estimate.cost);
  const chosen = obj(cost.chosen);
  const memory = obj(estimate.memory);
  const confidence = obj(estimate.confidence);
  const lines = [
    `# ${title}`,
    "",
    `**${estimateSummary(estimate)}**`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| model | ${str(estimate.model_name ?? estimate.model ?? "?")} |`,
    `| method / precision | ${str(obj(memory).method ?? "?")} / ${str(estimate.precision ?? "?")} |`,
    `| time | ${str(time.human ?? "?")} (range ${Math.round((num(time.low_s) ?? 0) / 60)}–${Math.round((num(time.high_s) ?? 0) / 60)} min) |`,
    `| throughput | ${Math.round(num(time.tokens_per_s) ?? 0).toLocaleString("en-US")} tokens/s — ${str(time.basis ?? "")} |`,
    `| cost | ${chosen.tier === "local" ? "local run: no hourly price" : `${usd(chosen.compute_usd)} (${usd(chosen.low_usd)}–${usd(chosen.high_usd)}), ${str(chosen.tier)} at ${usd(chosen.usd_per_gpu_hour)}/GPU-hour, ${str(chosen.provider)}`} |`,
    `| prices | ${str(cost.price_snapshot ?? "")} |`,
    `| memory | ${num(memory.total_gb)?.toFixed(2) ?? "?"} GB |`,
    `| confidence | ${str(confidence.level ?? "?")} |`,
  ];
  const fits = Array.isArray(memory.fits) ? (memory.fits as J[]) : [];
  if (fits.length) {
    lines.push("", "## Which hardware fits", "", "| device | memory | fits | why |", "| --- | --- | --- | --- |");
    for (const f of fits) lines.push(`| ${str(f.device)} | ${str(f.memory_gb)} GB | ${str(f.status)} | ${str(f.reason)} |`);
  }
  const tips = Array.isArray(estimate.tips) ? (estimate.tips as J[]) : [];
  if (tips.length) {
    lines.push("", "## Tips to reduce cost and time", "");
    for (const t of tips) {
      lines.push(`- **${str(t.action)}** — saves ${usd(t.saving_usd)} (${str(t.saving_pct)}%); ${str(t.tradeoff)}`);
    }
  }
  for (const [head, key] of [["Warnings", "warnings"], ["Assumptions", "assumptions"]] as const) {
    const items = Array.isArray(estimate[key]) ? (estimate[key] as unknown[]) : [];
    if (items.length) lines.push("", `## ${head}`, "", ...items.map((w) => `- ${str(w)}`));
  }
  const reasons = Array.isArray(confidence.reasons) ? (confidence.reasons as unknown[]) : [];
  if (reasons.length) lines.push("", "## Confidence", "", ...reasons.map((r) => `- ${str(r)}`));
  return lines.join("\n") + "\n";
}

/** "Why these settings?" from the `vibeflow/explainRecipe` answer. */
export function explainMarkdown(result: J, recipeName: string): string {
  if (result.valid === false) {
    const problems = Array.isArray(result.problems) ? (result.problems as unknown[]) : [];
    return [`# Why these settings? — ${recipeName}`, "", "The recipe has problems to fix first:", "", ...problems.map((p) => `- ${str(p)}`), ""].join("\n");
  }
  const lines = [
    `# Why these settings? — ${recipeName}`,
    "",
    `**${str(result.method ?? "?")}** on **${str(result.baseModel ?? "?")}**, preset **${str(result.preset ?? "?")}**, ` +
      `device ${str(result.device ?? "?")}${result.cuda ? " (CUDA)" : ""}${num(result.datasetRows) !== null ? `, ${str(result.datasetRows)} examples` : ""}.`,
    "",
  ];
  const values = obj(result.values);
  const advice = Array.isArray(result.advice) ? (result.advice as J[]) : [];
  const byField = new Map(advice.map((a) => [str(a.field).replace(/^training\./, ""), a]));
  lines.push("| setting | value | recommended | typical range | why |", "| --- | --- | --- | --- | --- |");
  for (const [key, value] of Object.entries(values)) {
    const a = byField.get(key) ?? byField.get(key.replace(/^lora_/, "lora."));
    const range = a && (a.low !== undefined || a.high !== undefined) ? `${str(a.low ?? "")}–${str(a.high ?? "")}` : "";
    lines.push(`| ${key} | ${JSON.stringify(value)} | ${a ? str(a.recommended) : ""} | ${range} | ${a ? str(a.why) : ""} |`);
  }
  const memory = result.memory ? obj(result.memory) : null;
  if (memory) {
    lines.push("", `**Memory:** ${num(memory.total_gb)?.toFixed(2) ?? "?"} GB of ${str(memory.device_gb ?? "?")} GB on ${str(memory.device ?? "?")} — ${memory.fits ? "fits" : "does not fit"}.`);
  }
  if (result.estimate) lines.push("", `**Estimate:** ${estimateSummary(obj(result.estimate))}`);
  const findings = Array.isArray(result.findings) ? (result.findings as J[]) : [];
  if (findings.length) {
    lines.push("", "## What the editor flags", "");
    for (const f of findings) lines.push(`- line ${str(f.line)}: ${str(f.message)}`);
  }
  return lines.join("\n") + "\n";
}
