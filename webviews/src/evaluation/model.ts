/** Pure helpers of the evaluation webview (unit-tested): metric formatting per unit, arrows, gate colours. */

export function formatMetric(value: unknown, unit: string): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  switch (unit) {
    case "pct":
      return `${(100 * value).toFixed(1)}%`;
    case "bleu":
      return (100 * value).toFixed(1);
    case "score":
      return value.toFixed(0);
    case "ratio":
      return value.toFixed(3);
    default:
      return Math.abs(value) < 1e4 ? Number(value.toPrecision(3)).toString() : value.toExponential(2);
  }
}

export function arrow(better: boolean | null): string {
  if (better === true) return "▲";
  if (better === false) return "▼";
  return "=";  // plain ASCII: the fullwidth sign is missing from common editor fonts
}

export function gateClass(gate: string): string {
  if (gate === "ready") return "gate-ready";
  if (gate === "review") return "gate-review";
  if (gate === "retrain") return "gate-retrain";
  return "";
}
