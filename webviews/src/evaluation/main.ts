/**
 * Evaluation webview: summary card (base vs tuned overall score, quality gate, plain-words summary), metric
 * table with arrows, side-by-side examples with previous/next and per-example scores, hints with their
 * action, and HTML/PDF export.
 */

import type { DetailFromWebview, DetailToWebview } from "../../../extension/src/protocol";
import { str } from "../../../extension/src/text";
import { errorBanner, fmt, h, replace, root } from "../common/dom";
import { getState, onMessage, ready, send, setState } from "../common/vscode";
import { arrow, formatMetric, gateClass } from "./model";
import "./evaluation.css";

type J = Record<string, unknown>;

const app = root();
const state: { example: number } = { example: 0, ...getState<{ example: number }>() };
let data: J | null = null;

function post(message: DetailFromWebview): void {
  send(message);
}

function summaryCard(d: J): HTMLElement {
  const summary = (d.summary as J | undefined) ?? {};
  const gate = (summary.gate as J | undefined) ?? {};
  const overall = (summary.overall as J | undefined) ?? {};
  return h(
    "div",
    { class: `summary ${gateClass(str(gate.key ?? d.gate))}` },
    h(
      "div",
      { class: "cards" },
      h("div", { class: "card" }, h("div", { class: "value", testid: "eval-overall-base" }, fmt(overall.base ?? d.overall_base, 0)), h("div", { class: "label" }, "base model")),
      h("div", { class: "card" }, h("div", { class: "value", testid: "eval-overall-tuned" }, fmt(overall.tuned ?? d.overall_tuned, 0)), h("div", { class: "label" }, "fine-tuned")),
      h("div", { class: "card" }, h("div", { class: "value", testid: "eval-improvement" }, typeof d.improvement === "number" ? `${d.improvement >= 0 ? "+" : ""}${d.improvement.toFixed(1)}` : "–"), h("div", { class: "label" }, "improvement")),
      h("div", { class: "card gate" }, h("div", { class: "value", testid: "eval-gate" }, str(gate.label ?? d.gate_label ?? d.gate)), h("div", { class: "label" }, str(gate.detail ?? "quality gate"))),
    ),
    summary.executive_summary ? h("p", { testid: "eval-summary" }, str(summary.executive_summary)) : null,
    summary.demo_base ? h("div", { class: "banner warning" }, "The base model is the offline demo base (random weights): scores only show the pipeline working.") : null,
  );
}

function metricTable(rows: J[]): HTMLElement {
  return h(
    "table",
    { testid: "eval-metrics" },
    h("tr", {}, h("th", {}, "metric"), h("th", {}, "base"), h("th", {}, "fine-tuned"), h("th", {}, "change")),
    ...rows.map((r) =>
      h(
        "tr",
        { testid: `eval-metric-${str(r.key)}` },
        h("td", {}, str(r.label)),
        h("td", {}, formatMetric(r.base, str(r.unit))),
        h("td", {}, formatMetric(r.tuned, str(r.unit))),
        h("td", { class: r.better === true ? "better" : r.better === false ? "worse" : "" }, arrow(r.better as boolean | null), " ", formatMetric(r.delta, str(r.unit))),
      ),
    ),
  );
}

function scoresLine(scores: unknown): string {
  if (!scores || typeof scores !== "object") return "";
  return Object.entries(scores as J)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(" · ");
}

function examples(list: J[]): HTMLElement {
  if (list.length === 0) return h("p", { class: "muted" }, "No examples stored.");
  const i = Math.min(Math.max(0, state.example), list.length - 1);
  const ex = list[i] ?? {};
  const side = (label: string, part: J | undefined): HTMLElement =>
    h("div", { class: "side" }, h("h3", {}, label), h("pre", { class: "output" }, str(part?.output)), h("div", { class: "muted small" }, scoresLine(part?.scores)));
  const go = (delta: number): void => {
    state.example = (i + delta + list.length) % list.length;
    setState(state);
    render();
  };
  return h(
    "div",
    { testid: "eval-example" },
    h("div", { class: "row" }, h("button", { class: "secondary", testid: "eval-prev", onClick: () => go(-1) }, "Previous"), h("span", { testid: "eval-example-index" }, `${i + 1} / ${list.length}`), h("button", { class: "secondary", testid: "eval-next", onClick: () => go(1) }, "Next")),
    h("h3", {}, "Prompt"),
    h("pre", { class: "output" }, str(ex.prompt)),
    h("h3", {}, "Reference"),
    h("pre", { class: "output" }, str(ex.reference)),
    h("div", { class: "grid2" }, side("Base model", ex.base as J | undefined), side("Fine-tuned", ex.tuned as J | undefined)),
  );
}

function hints(list: J[]): HTMLElement | null {
  if (list.length === 0) return null;
  return h(
    "div",
    { testid: "eval-hints" },
    h("h2", {}, "Why it may be below expectations"),
    ...list.map((hint) => {
      const action = (hint.action as J | undefined) ?? {};
      return h(
        "div",
        { class: "banner info", testid: `eval-hint-${str(hint.kind)}` },
        h("strong", {}, str(hint.title)),
        h("div", {}, str(hint.detail)),
        h("div", { class: "row" }, h("button", { class: "secondary", onClick: () => post({ type: "action", action: "hint", payload: { kind: str(hint.kind), command: str(action.command) } }) }, str(action.label) || "Fix"), h("code", {}, str(action.command))),
      );
    }),
  );
}

function render(): void {
  if (!data) return;
  const d = data;
  const status = str(d.status);
  const done = status === "completed";
  replace(
    app,
    h("div", { class: "row" }, h("h1", {}, `Evaluation of ${str(d.run_id)}`), h("span", { class: "badge", testid: "eval-status" }, status), h("span", { class: "spacer" }),
      done ? h("button", { class: "secondary", testid: "eval-export-html", onClick: () => post({ type: "action", action: "export", payload: { format: "html" } }) }, "Export HTML") : null,
      done ? h("button", { class: "secondary", testid: "eval-export-pdf", onClick: () => post({ type: "action", action: "export", payload: { format: "pdf" } }) }, "Export PDF") : null,
      done ? h("button", { testid: "eval-deploy", onClick: () => post({ type: "action", action: "deploy" }) }, "Deploy") : null,
      status === "failed" ? h("button", { testid: "eval-rerun", onClick: () => post({ type: "action", action: "rerun" }) }, "Evaluate again") : null),
    !done && status !== "failed"
      ? h("div", { testid: "eval-progress" }, `${str(d.stage) || "waiting"} — ${Math.round(Number(d.progress ?? 0) * 100)}%`)
      : null,
    d.error ? errorBanner(str(d.error), "") : null,
    done ? summaryCard(d) : null,
    done ? h("h2", {}, "Metrics: base vs fine-tuned") : null,
    done ? metricTable((d.metrics as J[] | undefined) ?? []) : null,
    done ? hints((d.hints as J[] | undefined) ?? []) : null,
    done ? h("h2", {}, "Examples side by side") : null,
    done ? examples((d.examples as J[] | undefined) ?? []) : null,
  );
}

onMessage<DetailToWebview>((message) => {
  if (message.type === "data") {
    data = message.data;
    render();
  } else if (message.type === "error") {
    app.prepend(errorBanner(message.message, message.fix));
  }
});
post({ type: "refresh" });
ready();
