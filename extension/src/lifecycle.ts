/**
 * Single-flight start / stop / restart of the backend. A restart called from inside a start (the install that
 * a failed start's notification offers restarts the backend) does not wait for that start: it is waiting for
 * this very call, and waiting would deadlock (the "Restart Server does nothing" bug).
 */

import { AsyncLocalStorage } from "node:async_hooks";

export class Lifecycle {
  private starting: Promise<void> | undefined;
  private readonly insideStart = new AsyncLocalStorage<true>();

  constructor(
    private readonly startOnce: () => Promise<void>,
    private readonly stopNow: () => Promise<void>,
  ) {}

  /** Whether a start is in flight. */
  get busy(): boolean {
    return this.starting !== undefined;
  }

  /** Starts the backend, or joins the start in flight. */
  start(): Promise<void> {
    if (!this.starting) {
      const flight: Promise<void> = this.insideStart
        .run(true, () => this.startOnce())
        .finally(() => {
          if (this.starting === flight) this.starting = undefined;
        });
      this.starting = flight;
    }
    return this.starting;
  }

  /** Stops and starts again; waits for a start in flight first, unless called from inside it. */
  async restart(): Promise<void> {
    if (!this.insideStart.getStore()) await this.starting?.catch(() => undefined);
    await this.stopNow();
    this.starting = undefined; // after the stop: a start that called us has registered its flight by now
    await this.start();
  }
}
