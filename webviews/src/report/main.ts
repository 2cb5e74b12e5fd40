/**
 * Data quality report webview: score, issue counts with one-click fixes (new versions, never the user's
 * file), clickable example rows, length and language stats, and a score-filterable row table.
 */

import { str } from "../../../extension/src/text";
import type { ReportFromWebview, ReportSource, ReportToWebview } from "../../../extension/src/protocol";
import { duration, errorBanner, fmt, h, replace, root } from "../common/dom";
import { getState, onMessage, ready, send, setState } from "../common/vscode";
import { issueView, type Issue, fileLine, recommendedFixes, scoreClass } from "./model";
import "./report.css";

type J = Record<string, unknown>;

interface State {
  source?: ReportSource;
  minScore: number | null;
  maxScore: number | null;
  sort: "row" | "score";
}

const state: State = { minScore: null, maxScore: null, sort: "row", ...getState<State>() };
const app = root();
let current: { source: ReportSource; report: J; version: J | null } | null = null;
let rowsBox: HTMLElement | null = null;
let rowsPage: { total: number; offset: number; rows: J[] } = { total: 0, offset: 0, rows: [] };
const PAGE = 50;

function post(message: ReportFromWebview): void {
  send(message);
}

function save(): void {
  setState(state);
}

function scoreCard(score: unknown): HTMLElement {
  return h(
    "div",
    { class: `card score ${scoreClass(score)}` },
    h("div", { class: "value", testid: "report-score" }, typeof score === "number" ? score.toFixed(1) : "–"),
    h("div", { class: "label" }, "quality score / 100"),
  );
}

function histogram(bins: J[]): HTMLElement {
  const max = Math.max(1, ...bins.map((b) => Number(b.count) || 0));
  return h(
    "div",
    { class: "histogram", testid: "report-histogram" },
    ...bins.map((b) => {
      const range = (b.range as number[] | undefined) ?? [0, 0];
      const bar = h("div", { class: "hbar" });
      bar.style.height = `${Math.round(((Number(b.count) || 0) / max) * 100)}%`;
      return h("div", { class: "hcol", title: `score ${range[0]}–${range[1]}: ${str(b.count)} rows` }, bar, h("span", {}, str(range[0])));
    }),
  );
}

function issueRow(issue: Issue, source: ReportSource, format: string): HTMLElement {
  const view = issueView(issue);
  const rows = h(
    "div",
    { class: "examples" },
    ...view.rows.map((row) =>
      h(
        "span",
        {
          class: "chip",
          title: source.path ? "open this row in the file" : `row ${row}`,
          testid: `report-row-link-${issue.kind}-${row}`,
          onClick: () => source.path && post({ type: "openFile", path: source.path, line: fileLine(row, format) }),
        },
        `#${row}`,
      ),
    ),
    view.more > 0 ? h("span", { class: "muted" }, ` … ${view.more} more`) : null,
  );
  return h(
    "div",
    { class: `issue sev-border-${issue.severity}`, testid: `report-issue-${issue.kind}` },
    h(
      "div",
      { class: "row" },
      h("span", { class: `badge sev-${issue.severity}` }, issue.severity),
      h("strong", {}, view.title),
      h("span", { class: "count", testid: `report-count-${issue.kind}` }, str(issue.count)),
      h("span", { class: "spacer" }),
      issue.fix
        ? h("button", { testid: `report-fix-${issue.fix}`, onClick: () => post({ type: "applyFixes", ops: [issue.fix as string] }) }, view.fixLabel)
        : null,
    ),
    h("div", {}, issue.message),
    issue.suggestion ? h("div", { class: "muted" }, `Suggestion: ${issue.suggestion}`) : null,
    rows,
  );
}

function lengthsTable(lengths: J): HTMLElement {
  const part = (name: string): J => (lengths[name] as J | undefined) ?? {};
  return h(
    "table",
    { testid: "report-lengths" },
    h("tr", {}, h("th", {}, "tokens"), h("th", {}, "mean"), h("th", {}, "median"), h("th", {}, "p95"), h("th", {}, "max")),
    ...["input", "output", "total"].map((name) =>
      h("tr", {}, h("td", {}, name), h("td", {}, fmt(part(name).mean, 1)), h("td", {}, fmt(part(name).p50, 0)), h("td", {}, fmt(part(name).p95, 0)), h("td", {}, fmt(part(name).max, 0))),
    ),
  );
}

function renderRows(box: HTMLElement): void {
  const rows = [...rowsPage.rows].sort((a, b) =>
    state.sort === "score" ? Number(a.score) - Number(b.score) : Number(a.row) - Number(b.row),
  );
  const clip = (s: unknown): string => {
    const t = str(s ?? "");
    return t.length > 160 ? `${t.slice(0, 160)}…` : t;
  };
  const num = (v: string): number | null => (v.trim() === "" || Number.isNaN(Number(v)) ? null : Number(v));
  const minInput = h("input", { type: "number", min: 0, max: 100, placeholder: "min", testid: "rows-min-score", value: state.minScore ?? "" });
  const maxInput = h("input", { type: "number", min: 0, max: 100, placeholder: "max", testid: "rows-max-score", value: state.maxScore ?? "" });
  const load = (offset: number): void => {
    state.minScore = num(minInput.value);
    state.maxScore = num(maxInput.value);
    save();
    post({ type: "loadRows", offset, limit: PAGE, minScore: state.minScore, maxScore: state.maxScore });
  };
  const sortHead = (label: string, key: State["sort"]): HTMLElement =>
    h("th", { class: "sortable", testid: `rows-sort-${key}`, onClick: () => ((state.sort = key), save(), renderRows(box)) }, `${label}${state.sort === key ? " ▲" : ""}`);
  replace(
    box,
    h("div", { class: "row" }, "Row score between", minInput, "and", maxInput, h("button", { class: "secondary", testid: "rows-filter", onClick: () => load(0) }, "Filter"),
      h("span", { class: "muted", testid: "rows-total" }, `${rowsPage.total} rows match`)),
    h(
      "table",
      { testid: "report-rows" },
      h("tr", {}, sortHead("row", "row"), sortHead("score", "score"), h("th", {}, "input"), h("th", {}, "output")),
      ...rows.map((r) =>
        h("tr", { testid: `report-row-${str(r.row)}` }, h("td", {}, str(r.row)), h("td", { class: scoreClass(r.score) }, fmt(r.score, 1)), h("td", {}, clip(r.input_text)), h("td", {}, clip(r.output_text))),
      ),
    ),
    h(
      "div",
      { class: "row" },
      h("button", { class: "secondary", disabled: rowsPage.offset === 0, onClick: () => load(Math.max(0, rowsPage.offset - PAGE)) }, "Previous"),
      h("span", { class: "muted" }, `${rowsPage.total ? rowsPage.offset + 1 : 0}–${rowsPage.offset + rowsPage.rows.length} of ${rowsPage.total}`),
      h("button", { class: "secondary", disabled: rowsPage.offset + PAGE >= rowsPage.total, onClick: () => load(rowsPage.offset + PAGE) }, "Next"),
    ),
  );
}

function render(): void {
  if (!current) return;
  const { source, report, version } = current;
  const mapping = (report.mapping as J | undefined) ?? {};
  const issues = ((report.issues as Issue[] | undefined) ?? []).filter((i) => i.count > 0);
  const fixes = recommendedFixes(report.fixes as Record<string, number | null> | undefined);
  const format = str(report.format ?? "");
  const languages = (report.languages as J | undefined) ?? {};
  const title = version ? str(version.ref) : (source.path?.split(/[\\/]/).pop() ?? "dataset");
  rowsBox = version ? h("div", { testid: "report-rows-box" }, h("p", { class: "muted" }, "Loading rows…")) : null;
  replace(
    app,
    h("h1", { testid: "report-title" }, `Data quality — ${title}`),
    source.path ? h("div", { class: "muted" }, "File: ", h("span", { class: "link", onClick: () => post({ type: "openFile", path: source.path as string }) }, source.path), version ? "" : " (not changed by this report)") : null,
    h(
      "div",
      { class: "cards" },
      scoreCard(report.score),
      h("div", { class: "card" }, h("div", { class: "value", testid: "report-rows-count" }, str(report.rows ?? "–")), h("div", { class: "label" }, "rows")),
      h("div", { class: "card" }, h("div", { class: "value", testid: "report-issue-total" }, str(issues.length)), h("div", { class: "label" }, "issue kinds")),
      h("div", { class: "card" }, h("div", { class: "value" }, `${Math.round(Number(mapping.confidence ?? 0) * 100)}%`), h("div", { class: "label" }, `mapping: ${str(mapping.shape ?? "?")}`)),
    ),
    h("div", { class: "muted", testid: "report-mapping" }, `Input: ${((mapping.input as string[] | undefined) ?? []).join(" + ") || "–"} → output: ${str(mapping.output ?? "(conversation)")}`),
    h(
      "div",
      { class: "row actions" },
      fixes.length
        ? h("button", { testid: "report-fix-all", onClick: () => post({ type: "applyFixes", ops: fixes.map((f) => f.op) }) }, `Apply recommended fixes (${fixes.map((f) => f.label).join(", ")})`)
        : null,
      !version ? h("button", { class: "secondary", testid: "report-import", onClick: () => post({ type: "importVersion" }) }, "Import as dataset version") : null,
      version ? h("button", { class: "secondary", testid: "report-split", onClick: () => post({ type: "split", test: 0.2, seed: 42 }) }, "Split 80/20 (seed 42)") : null,
      h("button", { class: "secondary", testid: "report-refresh", onClick: () => post({ type: "refresh" }) }, "Refresh"),
    ),
    h("div", { class: "muted small" }, "Fixes create a new immutable dataset version; your file is never modified."),
    h("h2", {}, "Issues"),
    issues.length ? h("div", { testid: "report-issues" }, ...issues.map((i) => issueRow(i, source, format))) : h("p", { testid: "report-no-issues" }, "No issues found."),
    h("h2", {}, "Row scores"),
    histogram((report.score_histogram as J[] | undefined) ?? []),
    h("h2", {}, "Lengths"),
    lengthsTable((report.lengths as J | undefined) ?? {}),
    h("div", { class: "muted" }, str(((report.lengths as J | undefined) ?? {}).note ?? "")),
    h("h2", {}, "Languages"),
    h("div", {}, `Mostly ${str(languages.dominant_name ?? languages.dominant ?? "?")}`, h("span", { class: "muted" }, ` — ${str(languages.method ?? "")}`)),
    version ? h("h2", {}, "Rows") : null,
    rowsBox,
    h("div", { class: "muted small" }, `Score formula: ${str(report.score_formula ?? "")}`),
    report.timings ? h("div", { class: "muted small" }, `Checked in ${duration(Object.values(report.timings as Record<string, number>).reduce((a, b) => a + b, 0))}`) : null,
  );
}

function mappingForm(message: Extract<ReportToWebview, { type: "mappingNeeded" }>): void {
  const select = (testid: string, chosen: string | null, allowNone: boolean): HTMLSelectElement =>
    h(
      "select",
      { testid },
      allowNone ? h("option", { value: "" }, "(none: conversation column)") : null,
      ...message.columns.map((c) => h("option", { value: c, selected: c === chosen }, c)),
    );
  const input = select("mapping-input", message.guessInput, false);
  const output = select("mapping-output", message.guessOutput, true);
  replace(
    app,
    h("h1", {}, "Which columns are the prompt and the answer?"),
    h("div", { class: "banner warning", testid: "mapping-needed" }, message.message),
    h("div", { class: "row" }, h("label", {}, "Prompt (input) column ", input)),
    h("div", { class: "row" }, h("label", {}, "Answer (output) column ", output)),
    h("button", { testid: "mapping-confirm", onClick: () => post({ type: "setMapping", inputCol: input.value, outputCol: output.value || null }) }, "Use these columns"),
  );
}

onMessage<ReportToWebview>((message) => {
  switch (message.type) {
    case "loading":
      if (!current) replace(app, h("p", { class: "muted", testid: "report-loading" }, message.message));
      else app.prepend(h("div", { class: "banner info", testid: "report-loading" }, message.message));
      break;
    case "report":
      current = { source: message.source, report: message.report, version: message.version };
      state.source = message.source;
      save();
      render();
      break;
    case "rows":
      rowsPage = { total: message.total, offset: message.offset, rows: message.rows };
      if (rowsBox) renderRows(rowsBox);
      break;
    case "mappingNeeded":
      mappingForm(message);
      break;
    case "error":
      for (const old of app.querySelectorAll('[data-testid="report-loading"]')) old.remove();
      app.prepend(errorBanner(message.message, message.fix));
      break;
  }
});
ready();
