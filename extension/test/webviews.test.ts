import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparisonTable, recSummary } from "../../webviews/src/brainstorm/model";
import { formatTick, isFalling, runningCost, SeriesStore, stageIndex } from "../../webviews/src/monitor/series";
import { fileLine, issueView, recommendedFixes, scoreClass } from "../../webviews/src/report/model";

describe("monitor chart data", () => {
  it("keeps the latest value per step (a resumed trainer re-emits steps) and sorts by step", () => {
    const store = new SeriesStore();
    store.load({ loss: [[1, 3.0], [2, 2.5], [3, 2.2]] });
    store.addEvent({ type: "metrics", step: 3, loss: 2.1, learning_rate: 2e-4 });
    store.addEvent({ type: "metrics", step: 2, loss: 2.4 });
    store.addEvent({ type: "metrics", step: 4, loss: null, grad_norm: 0.5 });
    assert.equal(store.addEvent({ type: "stage", step: 5 }), false);
    assert.deepEqual(store.points("loss"), [[1, 3.0], [2, 2.4], [3, 2.1], [4, null]]);
    assert.equal(store.last("loss"), 2.1);
    assert.equal(store.last("nothing"), null);
  });

  it("aligns curves on a shared step axis with gaps as null", () => {
    const store = new SeriesStore();
    store.load({ loss: [[1, 2], [2, 1.5], [3, 1.2]], eval_loss: [[2, 1.8]] });
    assert.deepEqual(store.aligned(["loss", "eval_loss"]), [[1, 2, 3], [2, 1.5, 1.2], [null, 1.8, null]]);
  });

  it("labels chart ticks readably from learning rates to token counts", () => {
    assert.deepEqual([2e-4, 0.0005, 0].map(formatTick), ["2.0e-4", "5.0e-4", "0"]);
    assert.deepEqual([3.25, 0.125, 1234.5].map(formatTick), ["3.25", "0.125", "1230"]);
    assert.deepEqual([2.5e7, Number.NaN, null].map(formatTick), ["2.5e+7", "", ""]);
  });

  it("recognises a falling loss curve", () => {
    assert.ok(isFalling([[1, 3], [2, 2.8], [3, 2.5], [4, 2.0], [5, 1.8], [6, 1.5], [7, 1.4], [8, 1.2]]));
    assert.equal(isFalling([[1, 1], [2, 2], [3, 3], [4, 4]]), false);
    assert.equal(isFalling([[1, 3], [2, 1]]), false);
  });

  it("computes running cost against the estimate and warns past +20%", () => {
    const estimate = { request: { gpu_count: 2 }, cost: { chosen: { tier: "spot", usd_per_gpu_hour: 1.5, compute_usd: 3 } } };
    const at1h = runningCost(3600, estimate);
    assert.equal(at1h.runningUsd, 3);
    assert.equal(at1h.warn, false);
    const at125 = runningCost(3600 * 1.25, estimate);
    assert.ok(at125.warn);
    assert.equal(Math.round(at125.overPct ?? 0), 25);
    assert.equal(runningCost(100, { cost: { chosen: { tier: "local", usd_per_gpu_hour: 0, compute_usd: 0 } } }).local, true);
    assert.equal(runningCost(100, null).runningUsd, null);
  });

  it("places the stage in the pipeline", () => {
    assert.equal(stageIndex("model_loading", "running"), 2);
    assert.equal(stageIndex("completed", "completed"), 5);
    assert.equal(stageIndex(null, "queued"), -1);
  });
});

describe("report model", () => {
  it("maps data rows to file lines per format", () => {
    assert.equal(fileLine(10, "csv"), 11);
    assert.equal(fileLine(10, "jsonl"), 10);
    assert.equal(fileLine(10, "parquet"), 1);
  });

  it("lists the recommended fixes with counts, skipping empty ones", () => {
    assert.deepEqual(recommendedFixes({ drop_missing: 36, dedup_exact: 30, normalize_whitespace: null, repair_mojibake: 0 }), [
      { op: "drop_missing", label: "Drop rows with missing values", rows: 36 },
      { op: "dedup_exact", label: "Remove duplicates", rows: 30 },
    ]);
  });

  it("titles issues and caps example rows", () => {
    const rows = Array.from({ length: 30 }, (_, i) => i + 1);
    const view = issueView({ kind: "duplicate", severity: "warning", count: 45, message: "", fix: "dedup_exact", rows });
    assert.equal(view.title, "Exact duplicates");
    assert.equal(view.fixLabel, "Remove duplicates");
    assert.equal(view.rows.length, 20);
    assert.equal(view.more, 25);
    assert.equal(issueView({ kind: "new_kind", severity: "info", count: 1, message: "", fix: null }).title, "new kind");
    assert.deepEqual([scoreClass(90), scoreClass(70), scoreClass(10), scoreClass(null)], ["good", "fair", "poor", ""]);
  });
});

describe("brainstorm card", () => {
  const rec = {
    base_model: "qwen2.5-1.5b",
    model_name: "Qwen2.5 1.5B Instruct",
    method: "qlora",
    preset: "balanced",
    device: "A100-80GB",
    target: "cloud",
    spot: true,
    hyperparameters: { learning_rate: 0.0002, num_epochs: 3, batch_size: 4, gradient_accumulation: 2, lora_r: 16 },
    reasons: ["small data: LoRA"],
    warnings: [],
    estimate: { device: "A100-80GB", time: { human: "25 min" }, memory: { total_gb: 9.46 }, cost: { chosen: { tier: "spot", compute_usd: 1.2, low_usd: 0.9, high_usd: 1.6 } } },
  };

  it("shows the estimator's numbers", () => {
    const s = recSummary(rec, null);
    assert.equal(s.title, "Qwen2.5 1.5B Instruct · QLoRA · balanced");
    assert.equal(s.cost, "~$1.20 (spot, $0.90–$1.60)");
    assert.equal(s.time, "25 min");
    assert.equal(s.memory, "9.5 GB");
    assert.equal(s.hardware, "A100-80GB (cloud, spot)");
    assert.equal(s.settings, "lr 2.0e-4, 3 epochs, batch 4×2, LoRA r 16");
  });

  it("prefers the reply's own estimate and says when a run is local", () => {
    const s = recSummary(rec, { time: { human: "7 min" }, memory: {}, cost: { chosen: { tier: "local" } } });
    assert.equal(s.cost, "free (your machine)");
    assert.equal(s.time, "7 min");
  });

  it("builds a comparison table of at most 3 models", () => {
    const table = comparisonTable([
      { label: "best", base_model: "a", cost_usd: 1.234, time_s: 1500, nested: { x: 1 } },
      { label: "cheap", base_model: "b", cost_usd: 0.5, time_s: 7200 },
      { label: "fast", base_model: "c", cost_usd: 20, time_s: 60 },
      { label: "extra", base_model: "d" },
    ]);
    assert.deepEqual(table?.columns, ["label", "base_model", "cost_usd", "time_s"]);
    assert.deepEqual(table?.rows, [
      ["best", "a", "$1.23", "25 min"],
      ["cheap", "b", "$0.50", "2.0 h"],
      ["fast", "c", "$20", "1 min"],
    ]);
    assert.ok(comparisonTable({ models: [{ label: "x" }] }));
    assert.equal(comparisonTable(null), null);
  });
});

import { arrow, formatMetric, gateClass } from "../../webviews/src/evaluation/model";

describe("evaluation model", () => {
  it("formats metrics by unit like the backend's report", () => {
    assert.equal(formatMetric(0.4567, "pct"), "45.7%");
    assert.equal(formatMetric(0.123, "bleu"), "12.3");
    assert.equal(formatMetric(71.6, "score"), "72");
    assert.equal(formatMetric(0.98765, "ratio"), "0.988");
    assert.equal(formatMetric(12.3456, "float"), "12.3");
    assert.equal(formatMetric(123456, "float"), "1.23e+5");
    assert.equal(formatMetric(null, "pct"), "–");
  });

  it("shows arrows and gate colours", () => {
    assert.deepEqual([arrow(true), arrow(false), arrow(null)], ["▲", "▼", "="]);
    assert.deepEqual([gateClass("ready"), gateClass("review"), gateClass("retrain"), gateClass("")], ["gate-ready", "gate-review", "gate-retrain", ""]);
  });
});
