/**
 * Run monitor webview: stage, progress, ETA, tokens/s, GPU memory, cost vs estimate, live loss / eval-loss /
 * learning-rate / grad-norm charts, alerts with one-click retry, checkpoints, event log and a stop button.
 */

import { str } from "../../../extension/src/text";
import type { MonitorFromWebview, MonitorToWebview } from "../../../extension/src/protocol";
import { duration, errorBanner, fmt, h, replace, root } from "../common/dom";
import { onMessage, ready, send, setState } from "../common/vscode";
import { LineChart } from "./chart";
import { isFalling, runningCost, SeriesStore, STAGES, stageIndex, type Point } from "./series";
import "./monitor.css";

type J = Record<string, unknown>;

const store = new SeriesStore();
let run: J = {};
let estimate: J | null = null;
let budget: number | null = null;
let retryPlan: J | null = null;
let connection = "connecting";
const log: J[] = [];
const alerts: J[] = [];
const checkpoints: J[] = [];
const seen = new Set<number>();
const ACTIVE = new Set(["queued", "running", "stopping"]);

function post(message: MonitorFromWebview): void {
  send(message);
}

// ---- static layout (charts keep their canvases across updates)
const app = root();
const header = h("div", { testid: "monitor-header" });
const stats = h("div", { class: "cards", testid: "monitor-stats" });
const banners = h("div", { testid: "monitor-banners" });
const alertBox = h("div", { testid: "monitor-alerts" });
const lossHost = h("div", { class: "chart", testid: "monitor-loss-chart" });
const lrHost = h("div", { class: "chart", testid: "monitor-lr-chart" });
const gradHost = h("div", { class: "chart", testid: "monitor-gradnorm-chart" });
const lossPoints = h("div", { class: "hidden", testid: "monitor-loss-points" });
const checkpointBox = h("div", { testid: "monitor-checkpoints" });
const logBox = h("div", { class: "log mono", testid: "monitor-log" });
replace(
  app,
  header,
  banners,
  stats,
  alertBox,
  h("h2", {}, "Loss"),
  lossHost,
  lossPoints,
  h("div", { class: "grid2" }, h("div", {}, h("h2", {}, "Learning rate"), lrHost), h("div", {}, h("h2", {}, "Gradient norm"), gradHost)),
  h("h2", {}, "Checkpoints"),
  checkpointBox,
  h("h2", {}, "Event log"),
  logBox,
);
const lossChart = new LineChart(lossHost, [
  { label: "loss", color: "blue" },
  { label: "eval loss", color: "orange", dash: true },
]);
const lrChart = new LineChart(lrHost, [{ label: "learning rate", color: "green" }]);
const gradChart = new LineChart(gradHost, [{ label: "grad norm", color: "purple" }]);

function card(label: string, value: string, testid: string, cls = ""): HTMLElement {
  return h("div", { class: `card ${cls}` }, h("div", { class: "value", testid }, value), h("div", { class: "label" }, label));
}

function renderHeader(): void {
  const status = str(run.status ?? "…");
  const current = stageIndex(run.stage as string | null, status);
  const progress = typeof run.progress === "number" ? run.progress : 0;
  const bar = h("div", { class: "bar" });
  bar.style.width = `${Math.round(progress * 100)}%`;
  const terminal = !ACTIVE.has(status);
  const compute = ((run.recipe as J | undefined)?.compute ?? {}) as J;
  const cloud = compute.target === "cloud"; // local runs have no provisioning stage
  replace(
    header,
    h(
      "div",
      { class: "row" },
      h("h1", { testid: "monitor-title" }, str(run.name ?? run.id ?? "run")),
      h("span", { class: `badge status-${status}`, testid: "monitor-status" }, status),
      h("span", { class: "muted", testid: "monitor-connection" }, connection === "live" ? "● live" : connection === "ended" ? "" : `○ ${connection}`),
      h("span", { class: "spacer" }),
      ACTIVE.has(status) ? h("button", { testid: "monitor-stop", onClick: () => post({ type: "stop" }) }, "Stop (checkpoint first)") : null,
      ["stopped", "failed", "orphaned"].includes(status) ? h("button", { testid: "monitor-resume", onClick: () => post({ type: "resume" }) }, "Resume") : null,
      terminal && status !== "completed" ? h("button", { class: "secondary", testid: "monitor-retry", onClick: () => post({ type: "retry", changes: null }) }, "Retry with suggested fix") : null,
      status === "completed" ? h("button", { testid: "monitor-evaluate", onClick: () => post({ type: "evaluate" }) }, "Evaluate") : null,
      status === "completed" ? h("button", { class: "secondary", testid: "monitor-deploy", onClick: () => post({ type: "deploy" }) }, "Deploy") : null,
    ),
    h("div", { class: "muted" }, `${str(run.method ?? "")} on ${str(run.base_model ?? "")} · ${str(run.id ?? "")}`),
    h(
      "ol",
      { class: "stages", testid: "monitor-stage", "data-stage": str(run.stage ?? "") },
      ...STAGES.map((s, i) =>
        s === "provisioning" && !cloud ? null : h("li", { class: i < current ? "done" : i === current ? "current" : "" }, s.replace("_", " ")),
      ),
    ),
    h("div", { class: "bar-track", testid: "monitor-progress", "data-progress": progress.toFixed(3) }, bar),
    run.error ? errorBanner(str(run.error), str((run.exit) ?? "")) : null,
  );
}

function renderStats(): void {
  const elapsed = typeof run.elapsed_seconds === "number" ? run.elapsed_seconds : null;
  const cost = runningCost(elapsed, estimate);
  const memUsed = store.last("gpu_mem_used_mb");
  const memTotal = store.last("gpu_mem_total_mb");
  const eta = run.status === "running" ? (run.eta_seconds ?? store.last("eta_s")) : null;
  const costText = cost.local ? "local" : cost.runningUsd === null ? "–" : `$${cost.runningUsd.toFixed(2)}`;
  const estText = cost.estimateUsd === null ? "" : cost.local ? "no hourly price" : `of ~$${cost.estimateUsd.toFixed(2)} estimated`;
  replace(
    stats,
    card("step", `${str(run.step ?? 0)} / ${str(run.total_steps ?? "?")}`, "monitor-step"),
    card("loss", fmt(run.loss ?? store.last("loss")), "monitor-loss"),
    card("eval loss", fmt(run.eval_loss ?? store.last("eval_loss")), "monitor-eval-loss"),
    card("tokens / s", fmt(run.tokens_per_second ?? store.last("tokens_per_s"), 0), "monitor-tokens"),
    card("ETA", duration(eta), "monitor-eta"),
    card("elapsed", duration(elapsed), "monitor-elapsed"),
    card("GPU memory", memUsed === null ? "–" : `${(memUsed / 1024).toFixed(1)}${memTotal ? ` / ${(memTotal / 1024).toFixed(0)}` : ""} GB`, "monitor-gpu"),
    card(`cost ${estText}`, costText, "monitor-cost", cost.warn ? "warn" : ""),
  );
  replace(
    banners,
    cost.warn ? h("div", { class: "banner warning", testid: "monitor-cost-warning" }, `Running cost is ${Math.round(cost.overPct ?? 0)}% above the estimate.`) : null,
    budget !== null && cost.runningUsd !== null && cost.runningUsd > budget * 0.8
      ? h("div", { class: "banner warning" }, `This run has used over 80% of your monthly budget ($${budget}).`)
      : null,
  );
}

function renderCharts(): void {
  lossChart.setData(store.aligned(["loss", "eval_loss"]));
  lrChart.setData(store.aligned(["learning_rate"]));
  gradChart.setData(store.aligned(["grad_norm"]));
  const points: Point[] = store.points("loss");
  lossPoints.setAttribute("data-count", str(points.length));
  lossPoints.setAttribute("data-falling", str(isFalling(points)));
  lossPoints.textContent = JSON.stringify(points);
}

function renderAlerts(): void {
  const suggestion = (retryPlan?.suggestion ?? null) as J | null;
  replace(
    alertBox,
    ...alerts.map((a) =>
      h(
        "div",
        { class: `banner ${a.severity === "error" || a.type === "error" ? "error" : "warning"}`, testid: `monitor-alert-${str(a.kind ?? a.error_type ?? "error")}` },
        h("strong", {}, str(a.message ?? a.kind ?? "alert")),
        a.fix ? h("div", {}, `Fix: ${str(a.fix)}`) : null,
        a.changes && typeof a.changes === "object" && Object.keys(a.changes).length > 0
          ? h("button", { class: "secondary", testid: "monitor-alert-retry", onClick: () => post({ type: "retry", changes: a.changes as J }) }, `Retry with ${Object.entries(a.changes as J).map(([k, v]) => `${k}=${str(v)}`).join(", ")}`)
          : null,
      ),
    ),
    suggestion ? h("div", { class: "banner info", testid: "monitor-retry-plan" }, `Suggested retry: ${str(suggestion.summary ?? suggestion.reason ?? JSON.stringify(retryPlan?.diff ?? {}))}`) : null,
  );
}

function describe(e: J): string {
  switch (e.type) {
    case "stage":
      return `stage → ${str(e.stage)}`;
    case "status":
      return `status → ${str(e.status)}${e.message ? `: ${str(e.message)}` : ""}`;
    case "checkpoint":
      return `checkpoint at step ${str(e.step)}`;
    case "alert":
      return `alert ${str(e.kind)}: ${str(e.message)}`;
    case "error":
      return `error ${str(e.error_type)}: ${str(e.message)}`;
    default:
      return JSON.stringify(e).slice(0, 200);
  }
}

function renderLog(): void {
  replace(
    logBox,
    ...log.slice(-200).reverse().map((e) => h("div", { class: `log-${str(e.type)}` }, `${new Date(Number(e.ts ?? 0) * 1000).toLocaleTimeString()}  ${describe(e)}`)),
  );
  replace(
    checkpointBox,
    checkpoints.length
      ? h("div", {}, ...checkpoints.map((c) => h("span", { class: "chip", title: str(c.path) }, `step ${str(c.step)}`)))
      : h("span", { class: "muted" }, "none yet"),
  );
}

function addEvents(events: J[]): void {
  for (const e of events) {
    const seq = typeof e.seq === "number" ? e.seq : null;
    if (seq !== null) {
      if (seen.has(seq)) continue;
      seen.add(seq);
    }
    if (e.type === "metrics") {
      store.addEvent(e);
      if (typeof e.step === "number") run = { ...run, step: e.step, loss: e.loss ?? run.loss, eta_seconds: e.eta_s ?? run.eta_seconds, tokens_per_second: e.tokens_per_s ?? run.tokens_per_second };
      if (typeof e.max_steps === "number") run.total_steps = e.max_steps;
      if (typeof e.step === "number" && typeof run.total_steps === "number" && run.total_steps > 0) run.progress = Math.min(1, e.step / run.total_steps);
      continue;
    }
    if (e.type === "gradients") continue;
    log.push(e);
    if (e.type === "alert" || e.type === "error") alerts.push(e);
    if (e.type === "checkpoint") checkpoints.push(e);
    if (e.type === "stage" && typeof e.stage === "string") run.stage = e.stage;
  }
}

function renderAll(): void {
  renderHeader();
  renderStats();
  renderAlerts();
  renderCharts();
  renderLog();
}

onMessage<MonitorToWebview>((message) => {
  switch (message.type) {
    case "run":
      run = message.run;
      setState({ runId: run.id });
      renderHeader();
      renderStats();
      break;
    case "series":
      store.load(message.series);
      renderCharts();
      renderStats();
      break;
    case "events":
      addEvents(message.events);
      renderAll();
      break;
    case "estimate":
      estimate = message.estimate;
      budget = message.monthlyBudgetUsd;
      renderStats();
      break;
    case "retryPlan":
      retryPlan = message.plan;
      renderAlerts();
      break;
    case "connection":
      connection = message.state;
      renderHeader();
      break;
    case "error":
      banners.prepend(errorBanner(message.message, message.fix));
      break;
  }
});
renderAll();
ready();
