/** Pure helpers of the report webview (unit-tested): issue titles, fix labels, row → file line, score colours. */

export interface Issue {
  kind: string;
  severity: "error" | "warning" | "info";
  count: number;
  message: string;
  fix: string | null;
  suggestion?: string | null;
  rows?: number[];
  rows_truncated?: boolean;
}

export const ISSUE_TITLES: Record<string, string> = {
  missing: "Missing values",
  duplicate: "Exact duplicates",
  near_duplicate: "Near duplicates",
  encoding: "Encoding damage",
  pii: "Personal data / secrets",
  too_short: "Very short inputs",
  too_long: "Very long outputs",
  over_context: "Longer than the context window",
  length_imbalance: "Length imbalance",
  language_mismatch: "Other languages",
  leakage: "Train/test leakage",
  dataset_size: "Dataset size",
};

export const FIX_LABELS: Record<string, string> = {
  drop_missing: "Drop rows with missing values",
  dedup_exact: "Remove duplicates",
  dedup_near: "Remove near duplicates",
  drop_over_context: "Drop over-long rows",
  normalize_whitespace: "Normalise whitespace",
  repair_mojibake: "Repair encoding",
};

const MAX_EXAMPLES = 20;

export function issueView(issue: Issue): { title: string; fixLabel: string; rows: number[]; more: number } {
  const rows = issue.rows ?? [];
  return {
    title: ISSUE_TITLES[issue.kind] ?? issue.kind.replace(/_/g, " "),
    fixLabel: issue.fix ? (FIX_LABELS[issue.fix] ?? issue.fix) : "",
    rows: rows.slice(0, MAX_EXAMPLES),
    more: Math.max(0, issue.count - Math.min(rows.length, MAX_EXAMPLES)),
  };
}

/** The 1-based line of a data row in its file: CSV/TSV have a header line; JSONL rows are lines. */
export function fileLine(row: number, format: string): number {
  if (format === "csv" || format === "tsv") return row + 1;
  if (format === "jsonl") return row;
  return 1;
}

/** The fixes the report recommends (count > 0), in the order the backend applies them. */
export function recommendedFixes(fixes: Record<string, number | null> | undefined): { op: string; label: string; rows: number }[] {
  return Object.entries(fixes ?? {})
    .filter(([, count]) => typeof count === "number" && count > 0)
    .map(([op, count]) => ({ op, label: FIX_LABELS[op] ?? op, rows: count as number }));
}

export function scoreClass(score: unknown): string {
  if (typeof score !== "number") return "";
  if (score >= 80) return "good";
  if (score >= 60) return "fair";
  return "poor";
}
