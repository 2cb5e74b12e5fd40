import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CHAT_MESSAGES, MONITOR_MESSAGES, parseMessage, REPORT_MESSAGES } from "../src/protocol";

describe("webview message validation", () => {
  it("accepts well-formed messages of the panel's own kinds", () => {
    assert.deepEqual(parseMessage({ type: "applyFixes", ops: ["dedup_exact"] }, REPORT_MESSAGES), { type: "applyFixes", ops: ["dedup_exact"] });
    assert.ok(parseMessage({ type: "send", text: "hi" }, CHAT_MESSAGES));
    assert.ok(parseMessage({ type: "retry", changes: null }, MONITOR_MESSAGES));
    assert.ok(parseMessage({ type: "retry", changes: { "training.learning_rate": 1e-4 } }, MONITOR_MESSAGES));
    assert.ok(parseMessage({ type: "ready" }, MONITOR_MESSAGES));
    assert.ok(parseMessage({ type: "openFile", path: "/a.csv", line: 3 }, REPORT_MESSAGES));
  });

  it("drops other panels' messages, malformed payloads and foreign commands", () => {
    assert.equal(parseMessage({ type: "stop" }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "applyFixes", ops: [] }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "applyFixes", ops: [1] }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "send", text: "   " }, CHAT_MESSAGES), null);
    assert.equal(parseMessage({ type: "split", test: 1.5, seed: 1 }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "openFile", path: "/a", line: 1.5 }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "command", command: "workbench.action.terminal.new" }, REPORT_MESSAGES), null);
    assert.equal(parseMessage({ type: "retry", changes: [1] }, MONITOR_MESSAGES), null);
    assert.equal(parseMessage("ready", REPORT_MESSAGES), null);
    assert.equal(parseMessage(null, REPORT_MESSAGES), null);
  });
});
