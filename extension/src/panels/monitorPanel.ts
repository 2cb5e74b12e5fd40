/**
 * The run monitor panel: loads a run, its downsampled curves and its event log, then follows the run's
 * SSE event stream and forwards new events to the webview in small batches until the run ends.
 */

import { str } from "../text";
import * as vscode from "vscode";
import type { Json } from "../api";
import { log } from "../logger";
import { MONITOR_MESSAGES } from "../protocol";
import type { Backend } from "../server";
import { WebviewHost } from "./webview";

export const MONITOR_VIEW_TYPE = "vibeflow.monitor";
const LOG_TYPES = ["stage", "status", "alert", "error", "checkpoint"];
const TERMINAL = new Set(["completed", "failed", "stopped", "orphaned", "cancelled"]);

export class MonitorPanel implements vscode.Disposable {
  private static readonly open = new Map<string, MonitorPanel>();
  private readonly host: WebviewHost;
  private unfollow: (() => void) | undefined;
  private batch: Json[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  static show(context: vscode.ExtensionContext, backend: Backend, runId: string): MonitorPanel {
    const existing = MonitorPanel.open.get(runId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(MONITOR_VIEW_TYPE, `Run: ${runId}`, vscode.ViewColumn.Active, {
      retainContextWhenHidden: true,
    });
    return new MonitorPanel(panel, context, backend, runId);
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly backend: Backend,
    readonly runId: string,
  ) {
    MonitorPanel.open.set(runId, this);
    this.host = new WebviewHost(panel.webview, context.extensionUri, "monitor", "Run monitor", MONITOR_MESSAGES, (m) =>
      this.handle(m),
    );
    this.host.onReady = () => this.load();
    panel.onDidDispose(() => this.dispose());
  }

  async load(): Promise<void> {
    this.unfollow?.();
    const api = await this.backend.ready();
    const run = await api.run(this.runId);
    this.panel.title = `Run: ${str(run.name ?? this.runId)}`;
    this.host.post({ type: "run", run });
    const [metrics, events] = await Promise.all([api.metrics(this.runId), api.events(this.runId, LOG_TYPES, 500)]);
    const series: Record<string, [number, number | null][]> = {};
    for (const [name, curve] of Object.entries(metrics.series ?? {})) series[name] = curve.points;
    this.host.post({ type: "series", series });
    this.host.post({ type: "events", events: events.events });
    const budget = vscode.workspace.getConfiguration("vibeflow").get<number | null>("budget.monthlyUsd") ?? null;
    const estimate = await api.estimate({ recipe: run.recipe }).catch((error: Error) => {
      log.warn(`estimate for run ${this.runId} unavailable: ${error.message}`);
      return null;
    });
    this.host.post({ type: "estimate", estimate, monthlyBudgetUsd: budget });
    if (TERMINAL.has(str(run.status)) && run.status !== "completed") await this.postRetryPlan();
    if (TERMINAL.has(str(run.status))) {
      this.host.post({ type: "connection", state: "ended" });
      return;
    }
    const after = Number(run.last_event_seq ?? 0);
    this.unfollow = api.stream(
      `/api/runs/${encodeURIComponent(this.runId)}/events/stream?after_seq=${after}`,
      (event) => {
        if (event.event === "end") {
          void this.refreshRun(true);
          return;
        }
        try {
          this.batch.push(JSON.parse(event.data) as Json);
        } catch {
          return;
        }
        if (["status", "stage", "checkpoint", "alert", "error"].includes(event.event)) this.scheduleRefresh();
        this.flushTimer ??= setTimeout(() => this.flush(), 150);
      },
      (state) => this.host.post({ type: "connection", state }),
      "end",
    );
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.batch.length === 0) return;
    this.host.post({ type: "events", events: this.batch });
    this.batch = [];
  }

  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refreshRun(false);
    }, 300);
  }

  private async refreshRun(ended: boolean): Promise<void> {
    const api = this.backend.current;
    if (!api) return;
    this.flush();
    const run = await api.run(this.runId).catch(() => null);
    if (run) this.host.post({ type: "run", run });
    if (ended && run && run.status !== "completed") await this.postRetryPlan();
  }

  private async postRetryPlan(): Promise<void> {
    const api = this.backend.current;
    const plan = await api?.retryPlan(this.runId).catch(() => null);
    this.host.post({ type: "retryPlan", plan: plan ?? null });
  }

  private async handle(message: { type: string; [key: string]: unknown }): Promise<void> {
    const api = await this.backend.ready();
    switch (message.type) {
      case "stop":
        await api.stopRun(this.runId);
        await this.refreshRun(false);
        break;
      case "resume":
        await api.resumeRun(this.runId);
        await this.load();
        break;
      case "retry": {
        const run = await api.retryRun(this.runId, (message.changes as Json | null) ?? null);
        MonitorPanel.show(this.context, this.backend, str(run.id));
        break;
      }
      case "evaluate":
        await vscode.commands.executeCommand("vibeflow.evaluateRun", { runId: this.runId });
        break;
      case "deploy":
        await vscode.commands.executeCommand("vibeflow.deployRun", { runId: this.runId });
        break;
    }
  }

  dispose(): void {
    MonitorPanel.open.delete(this.runId);
    this.unfollow?.();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.host.dispose();
  }
}

export function monitorSerializer(context: vscode.ExtensionContext, backend: Backend): vscode.WebviewPanelSerializer {
  return {
    deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const runId = (state as { runId?: string } | undefined)?.runId;
      if (!runId) panel.dispose();
      else new MonitorPanel(panel, context, backend, runId);
      return Promise.resolve();
    },
  };
}
