/**
 * Against the real backend: starts `python -m vibeflow lsp` as the extension does (stdio JSON-RPC), reads the
 * HTTP URL/token from the initialize result, waits for vibeflow/ready, then drives the API the panels use.
 * Skipped (with a note) when the repository's .venv is not there.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { VibeFlowApi, type Json } from "../src/api";
import { RunList } from "../src/views/runModel";

const root = resolve(__dirname, "../..");
const python = process.env.VIBEFLOW_TEST_PYTHON ?? join(root, ".venv/bin/python");
const skip = existsSync(python) ? false : `no backend interpreter at ${python} (set VIBEFLOW_TEST_PYTHON)`;

describe("real backend (python -m vibeflow lsp)", { skip, timeout: 120_000 }, () => {
  let child: ChildProcess;
  let connection: MessageConnection;
  let home: string;
  let api: VibeFlowApi;
  let initResult: Json;
  const statuses: string[] = [];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "vibeflow-ext-test-"));
    child = spawn(python, ["-m", "vibeflow", "lsp", "--stdio"], {
      env: { ...process.env, VIBEFLOW_HOME: home, HF_HUB_OFFLINE: "1", VIBEFLOW_CLIENT: "test" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr?.resume();
    connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const ready = new Promise<{ url: string; token: string }>((res) => connection.onNotification("vibeflow/ready", res));
    connection.onNotification("vibeflow/status", (p: { state: string }) => statuses.push(p.state));
    connection.onNotification("window/logMessage", () => undefined);
    connection.listen();
    initResult = await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
    await connection.sendNotification("initialized", {});
    const endpoint = await ready;
    api = new VibeFlowApi(endpoint);
  });

  after(async () => {
    try {
      await connection.sendRequest("shutdown");
      await connection.sendNotification("exit");
    } catch {
      child.kill();
    }
    connection.dispose();
    await new Promise((r) => setTimeout(r, 300));
    if (child.exitCode === null) child.kill();
    rmSync(home, { recursive: true, force: true });
  });

  it("announces the HTTP API in the initialize result, as the extension expects", () => {
    const vibeflow = ((initResult.capabilities as Json).experimental as Json).vibeflow as Json;
    const http = vibeflow.http as Json;
    assert.match(String(http.url), /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof http.token, "string");
    assert.deepEqual(vibeflow.commands, ["vibeflow.estimate", "vibeflow.startTraining", "vibeflow.explainSettings", "vibeflow.openQualityReport"]);
    assert.ok(statuses.includes("ready"));
  });

  it("reports a file, imports it and fixes it into a new version without touching the file", async () => {
    const file = join(root, "examples/support.csv");
    const report = await api.reportFile(file);
    assert.equal(report.rows, 1200);
    const issues = report.issues as { kind: string; count: number }[];
    assert.ok(issues.some((i) => i.kind === "duplicate" && i.count > 0));
    const version = await api.importFile(file);
    const fixed = await api.fix(String(version.ref), ["dedup_exact", "drop_missing"]);
    assert.notEqual(fixed.ref, version.ref);
    assert.ok(Number(fixed.rows) < 1200);
    const rows = await api.rows(String(fixed.ref), { offset: 0, limit: 5, minScore: null, maxScore: 60 });
    assert.ok((rows.rows as Json[]).every((r) => Number(r.score) <= 60));
    const datasets = await api.datasets();
    assert.deepEqual(datasets.map((d) => d.versions.length), [2]);
  });

  it("streams the run list snapshot the Runs view consumes", async () => {
    const list = new RunList();
    await new Promise<void>((res) => {
      const stop = api.stream("/api/runs/stream", (event) => {
        list.apply(event.event, JSON.parse(event.data));
        if (event.event === "snapshot") {
          stop();
          res();
        }
      });
    });
    assert.deepEqual(list.list(), []);
  });

  it("explains a recipe through the vibeflow/explainRecipe request", async () => {
    const uri = `file://${join(root, "examples")}/vibeflow.yaml`;
    const text = "name: t\nbase_model: vibeflow-demo-tiny\nmethod: lora\ndata:\n  path: support.csv\ntraining:\n  learning_rate: 0.05\n";
    await connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text } });
    const result = await connection.sendRequest<Json>("vibeflow/explainRecipe", { uri });
    assert.equal(result.valid, true);
    assert.ok((result.advice as Json[]).some((a) => a.field === "training.learning_rate"));
  });
});
