import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { conversationTurns } from "../src/chat";
import { debounce } from "../src/debounce";
import { contentSecurityPolicy, makeNonce, shellHtml } from "../src/panels/html";
import { formatDuration, RunList, runContext, runDescription, runIcon } from "../src/views/runModel";

describe("webview HTML shell", () => {
  it("allows only nonce'd scripts and extension styles", () => {
    const csp = contentSecurityPolicy("vscode-webview://x", "abc");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = shellHtml({ cspSource: "vscode-webview://x", nonce: "abc", scriptUri: "s.js?a=1&b=2", styleUris: ["c.css"], title: "T<", view: "report" });
    assert.match(html, /<script nonce="abc" src="s.js\?a=1&amp;b=2"><\/script>/);
    assert.match(html, /data-testid="report-root"/);
    assert.match(html, /<title>T&lt;<\/title>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it("makes url-safe nonces from random bytes", () => {
    const nonce = makeNonce((n) => new Uint8Array(n).fill(251));
    assert.match(nonce, /^[A-Za-z0-9]+$/);
    assert.ok(nonce.length >= 16);
  });
});

describe("runs view model", () => {
  it("applies the status stream: snapshot, then per-run updates, newest first", () => {
    const list = new RunList();
    assert.ok(list.apply("snapshot", { runs: [{ id: "a", status: "completed", created_at: "2026-01-01" }, { id: "b", status: "queued", created_at: "2026-01-02" }] }));
    assert.ok(list.apply("run", { type: "run", id: "b", status: "running", progress: 0.5, loss: 1.23456 }));
    assert.ok(list.apply("run", { id: "c", status: "queued", created_at: "2026-01-03" }));
    assert.equal(list.apply("keepalive", {}), false);
    assert.deepEqual(list.list().map((r) => r.id), ["c", "b", "a"]);
    assert.equal(list.get("b")?.created_at, "2026-01-02"); // merged, not replaced
    assert.equal(runDescription(list.get("b")!), "running · 50% · loss 1.235");
  });

  it("maps statuses to icons and menu flags", () => {
    assert.equal(runIcon("running").id, "sync~spin");
    assert.equal(runIcon("failed").color, "testing.iconFailed");
    assert.equal(runIcon("weird").id, "circle-outline");
    assert.equal(runContext({ id: "x", status: "running" }), "run-running stoppable");
    assert.equal(runContext({ id: "x", status: "failed" }), "run-failed resumable retryable");
    assert.equal(runContext({ id: "x", status: "completed" }), "run-completed retryable finished");
  });

  it("formats durations", () => {
    assert.equal(formatDuration(42), "42 s");
    assert.equal(formatDuration(600), "10 min");
    assert.equal(formatDuration(3 * 3600 + 900), "3 h 15 min");
    assert.equal(formatDuration(-1), "");
  });
});

describe("brainstorm conversation", () => {
  it("restores turns and the last assistant card", () => {
    const { turns, reply } = conversationTurns({
      messages: [
        { role: "user", content: "support bot, 1K examples" },
        { role: "assistant", content: "Do you have a GPU?", mode: "offline", card: { suggested_replies: ["Yes, an A100", "No"] } },
        { role: "user", content: "an A100" },
        { role: "assistant", content: "Here is my recommendation", mode: "offline", card: { recommendation: { base_model: "qwen2.5-1.5b" } } },
      ],
    });
    assert.deepEqual(turns.map((t) => t.role), ["user", "assistant", "user", "assistant"]);
    assert.equal(reply?.reply, "Here is my recommendation");
    assert.deepEqual(reply?.recommendation, { base_model: "qwen2.5-1.5b" });
    assert.equal(reply?.mode, "offline");
    assert.deepEqual(conversationTurns({}), { turns: [], reply: null });
  });
});

describe("debounce", () => {
  it("runs once after the last call and can be cancelled", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      let calls = 0;
      const d = debounce(() => (calls += 1), 100);
      d();
      mock.timers.tick(50);
      d();
      mock.timers.tick(99);
      assert.equal(calls, 0);
      assert.ok(d.pending);
      mock.timers.tick(1);
      assert.equal(calls, 1);
      d();
      d.cancel();
      mock.timers.tick(200);
      assert.equal(calls, 1);
      assert.equal(d.pending, false);
    } finally {
      mock.timers.reset();
    }
  });
});
