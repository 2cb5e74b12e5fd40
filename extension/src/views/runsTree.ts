/** The Runs view: every run with a status icon, kept live by the backend's run status SSE stream. */

import * as vscode from "vscode";
import type { VibeFlowApi } from "../api";
import { log } from "../logger";
import type { Backend } from "../server";
import { RunList, runContext, runDescription, runIcon, type RunSummary } from "./runModel";

export class RunsTree implements vscode.TreeDataProvider<RunSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunSummary | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly runs = new RunList();
  private unfollow: (() => void) | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly backend: Backend) {
    this.subscription = backend.onDidChangeApi((api) => this.follow(api));
    if (backend.current) this.follow(backend.current);
  }

  private follow(api: VibeFlowApi | undefined): void {
    this.unfollow?.();
    this.unfollow = undefined;
    if (!api) return;
    this.unfollow = api.stream("/api/runs/stream", (event) => {
      try {
        if (this.runs.apply(event.event, JSON.parse(event.data))) this.changed.fire(undefined);
      } catch (error) {
        log.warn(`runs stream: ${String(error)}`);
      }
    });
  }

  async refresh(): Promise<void> {
    const api = this.backend.current;
    if (api) this.runs.replace((await api.runs(50)) as RunSummary[]);
    this.changed.fire(undefined);
  }

  getTreeItem(run: RunSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(run.name ?? run.id, vscode.TreeItemCollapsibleState.None);
    item.id = run.id;
    item.description = runDescription(run);
    const icon = runIcon(run.status);
    item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    item.contextValue = runContext(run);
    const tip = new vscode.MarkdownString(
      `**${run.name ?? run.id}** \`${run.id}\`\n\n${run.status}${run.stage ? ` · ${run.stage}` : ""}` +
        `${run.base_model ? `\n\n${run.method ?? ""} on ${run.base_model}` : ""}${run.error ? `\n\n$(error) ${run.error}` : ""}`,
      true,
    );
    item.tooltip = tip;
    item.command = { title: "Open Run Monitor", command: "vibeflow.openRunMonitor", arguments: [{ runId: run.id }] };
    return item;
  }

  getChildren(element?: RunSummary): RunSummary[] {
    return element ? [] : this.runs.list();
  }

  dispose(): void {
    this.unfollow?.();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
