import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateMarkdown, estimateSummary, explainMarkdown, usd } from "../src/format";

const cloud = {
  model: "qwen2.5-1.5b",
  model_name: "Qwen2.5 1.5B",
  device: "A100-80GB",
  precision: "bf16",
  time: { human: "25 min", low_s: 1200, high_s: 1800, tokens_per_s: 5200.4, basis: "published figures" },
  cost: { chosen: { tier: "spot", provider: "aws", usd_per_gpu_hour: 1.6, compute_usd: 0.67, low_usd: 0.5, high_usd: 0.8 }, price_snapshot: "prices as of 2026-11-01 (35 days old)" },
  memory: { method: "lora", total_gb: 9.46, fits: [{ device: "T4", memory_gb: 16, status: "ok", reason: "9.5 GB of 16 GB" }] },
  confidence: { level: "medium", reasons: ["throughput from published figures"] },
  tips: [{ action: "Use spot", saving_usd: 0.4, saving_pct: 40, tradeoff: "may be preempted" }],
  warnings: ["gated model"],
  assumptions: [],
};

describe("estimate and explanation markdown", () => {
  it("summarises cost, time, device and memory on one line", () => {
    assert.equal(estimateSummary(cloud), "~$0.67 · 25 min on A100-80GB · 9.5 GB memory");
    assert.equal(estimateSummary({ ...cloud, cost: { chosen: { tier: "local" } } }), "free (local) · 25 min on A100-80GB · 9.5 GB memory");
    assert.equal(usd(1234.5), "$1,235");
    assert.equal(usd(undefined), "?");
  });

  it("lists fits, tips, warnings and the price snapshot's age", () => {
    const md = estimateMarkdown(cloud, "Estimate — vibeflow.yaml");
    assert.match(md, /^# Estimate — vibeflow.yaml/);
    assert.match(md, /\| T4 \| 16 GB \| ok \| 9\.5 GB of 16 GB \|/);
    assert.match(md, /\*\*Use spot\*\* — saves \$0\.40 \(40%\)/);
    assert.match(md, /35 days old/);
    assert.match(md, /- gated model/);
    assert.doesNotMatch(md, /## Assumptions/);
  });

  it("explains settings with the recommended value, range and reason per field", () => {
    const md = explainMarkdown(
      {
        valid: true,
        method: "lora",
        preset: "balanced",
        baseModel: "vibeflow-demo-tiny",
        device: "cpu",
        cuda: false,
        datasetRows: 1200,
        values: { learning_rate: 0.005, num_epochs: 3 },
        advice: [{ field: "training.learning_rate", recommended: 0.0005, low: 0.0001, high: 0.0005, why: "the product table" }],
        memory: { device: "cpu", device_gb: 16, total_gb: 0.9, fits: true },
        estimate: null,
        findings: [{ line: 6, message: "learning rate too high", severity: 2 }],
      },
      "vibeflow.yaml",
    );
    assert.match(md, /\| learning_rate \| 0\.005 \| 0\.0005 \| 0\.0001–0\.0005 \| the product table \|/);
    assert.match(md, /1200 examples/);
    assert.match(md, /fits/);
    assert.match(md, /line 6: learning rate too high/);
    assert.match(explainMarkdown({ valid: false, problems: ["data.path missing"] }, "x"), /- data\.path missing/);
  });
});
