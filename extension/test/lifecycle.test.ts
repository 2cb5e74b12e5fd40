import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Lifecycle } from "../src/lifecycle";

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: hung`)), ms))]);
}

describe("backend lifecycle", () => {
  it("a restart from inside a start (install offered by its error) completes and starts again", async () => {
    const log: string[] = [];
    let starts = 0;
    const life: Lifecycle = new Lifecycle(
      async () => {
        starts += 1;
        log.push(`start ${starts}`);
        if (starts === 1) await life.restart(); // the user clicked "Install Backend" in the first start's prompt
      },
      () => {
        log.push("stop");
        return Promise.resolve();
      },
    );
    await within(life.start(), 2000, "start → install → restart");
    assert.deepEqual(log, ["start 1", "stop", "start 2"]);
    assert.equal(life.busy, false);
  });

  it("concurrent starts share one flight; a restart from outside waits for it, then stops and starts", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let starts = 0;
    const life = new Lifecycle(
      async () => {
        starts += 1;
        log.push(`start ${starts}`);
        if (starts === 1) await gate;
        log.push(`started ${starts}`);
      },
      () => {
        log.push("stop");
        return Promise.resolve();
      },
    );
    const first = life.start();
    assert.equal(life.start(), first);
    const restarted = life.restart();
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(log, ["start 1"]); // the restart waits for the start in flight
    release();
    await within(restarted, 2000, "restart after a start");
    assert.deepEqual(log, ["start 1", "started 1", "stop", "start 2", "started 2"]);
  });

  it("a failed start does not block the next one", async () => {
    let calls = 0;
    const life = new Lifecycle(
      () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error("no interpreter")) : Promise.resolve();
      },
      () => Promise.resolve(),
    );
    await assert.rejects(life.start(), /no interpreter/);
    await life.start();
    assert.equal(calls, 2);
  });
});
