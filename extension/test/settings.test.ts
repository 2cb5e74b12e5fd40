import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeEnv, readSettings, RESTART_KEYS, serverEnv } from "../src/settings";

const getter = (values: Record<string, unknown>) => (key: string) => values[key];

describe("settings", () => {
  it("has defaults for everything", () => {
    const s = readSettings(getter({}));
    assert.deepEqual(s, {
      pythonPath: "",
      home: "",
      monthlyBudgetUsd: null,
      geminiModel: "gemini-2.5-flash",
      autoEvaluate: true,
      maxConcurrentRuns: 1,
      logLevel: "WARNING",
      extraEnv: {},
    });
  });

  it("prefers vibeflow.pythonPath and accepts the python.interpreter alias", () => {
    assert.equal(readSettings(getter({ pythonPath: " /a/python ", "python.interpreter": "/b/python" })).pythonPath, "/a/python");
    assert.equal(readSettings(getter({ "python.interpreter": "/b/python" })).pythonPath, "/b/python");
  });

  it("rejects bad values instead of passing them on", () => {
    const s = readSettings(getter({ "budget.monthlyUsd": -5, "server.logLevel": "loud", "runs.maxConcurrent": 0.5, "server.env": { "BAD KEY": "x", OK_KEY: "1", NUM: 3 } }));
    assert.equal(s.monthlyBudgetUsd, null);
    assert.equal(s.logLevel, "WARNING");
    assert.equal(s.maxConcurrentRuns, 1);
    assert.deepEqual(s.extraEnv, { OK_KEY: "1" });
    assert.equal(readSettings(getter({ "server.logLevel": "debug" })).logLevel, "DEBUG");
  });

  it("builds the backend environment from settings and secrets", () => {
    const s = readSettings(getter({ home: "/h", "budget.monthlyUsd": 25, "agent.geminiModel": "gemini-2.5-pro", "evaluation.autoEvaluate": false, "server.env": { HF_HUB_OFFLINE: "1" } }));
    const env = serverEnv({ PATH: "/bin", UNSET: undefined }, s, { geminiApiKey: "k-123", huggingFaceToken: "hf_x" });
    assert.equal(env.PATH, "/bin");
    assert.ok(!("UNSET" in env));
    assert.equal(env.VIBEFLOW_HOME, "/h");
    assert.equal(env.VIBEFLOW_MONTHLY_BUDGET_USD, "25");
    assert.equal(env.VIBEFLOW_GEMINI_MODEL, "gemini-2.5-pro");
    assert.equal(env.VIBEFLOW_AUTO_EVALUATE, "0");
    assert.equal(env.GEMINI_API_KEY, "k-123");
    assert.equal(env.HF_TOKEN, "hf_x");
    assert.equal(env.HF_HUB_OFFLINE, "1");
  });

  it("never logs secrets", () => {
    const text = describeEnv({ GEMINI_API_KEY: "k-123", HF_TOKEN: "hf_x", VIBEFLOW_HOME: "/h", HOME: "/root" });
    assert.equal(text, "GEMINI_API_KEY=*** HF_TOKEN=*** VIBEFLOW_HOME=/h");
  });

  it("restarts the server for every setting the backend reads at start", () => {
    for (const key of ["pythonPath", "home", "budget.monthlyUsd", "agent.geminiModel"]) assert.ok((RESTART_KEYS as readonly string[]).includes(key));
  });
});
