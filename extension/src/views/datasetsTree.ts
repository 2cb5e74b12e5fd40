/** The Datasets view: each dataset with its immutable versions, rows and quality score. */

import { str } from "../text";
import * as vscode from "vscode";
import type { Json } from "../api";
import type { Backend } from "../server";

export type DatasetNode = { kind: "dataset"; name: string; versions: Json[] } | { kind: "version"; version: Json };

export function scoreIcon(score: unknown): { id: string; color: string } {
  const value = typeof score === "number" ? score : -1;
  if (value >= 80) return { id: "pass", color: "testing.iconPassed" };
  if (value >= 60) return { id: "warning", color: "charts.yellow" };
  if (value >= 0) return { id: "error", color: "testing.iconFailed" };
  return { id: "database", color: "foreground" };
}

export class DatasetsTree implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly backend: Backend) {
    this.subscription = backend.onDidChangeApi(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    if (node.kind === "dataset") {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `dataset:${node.name}`;
      item.iconPath = new vscode.ThemeIcon("database");
      item.description = `${node.versions.length} version${node.versions.length === 1 ? "" : "s"}`;
      item.contextValue = "dataset";
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(str(v.ref), vscode.TreeItemCollapsibleState.None);
    item.id = `version:${str(v.ref)}`;
    const score = typeof v.score === "number" ? v.score.toFixed(1) : "?";
    item.description = `${str(v.rows)} rows · score ${score} · ${str(v.role ?? "")} ${str(v.operation ?? "")}`.trim();
    const icon = scoreIcon(v.score);
    item.iconPath = new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color));
    item.tooltip = new vscode.MarkdownString(
      `**${str(v.ref)}** — ${str(v.rows)} rows, quality score ${score}/100\n\n` +
        `operation: ${str(v.operation)}${v.source_path ? `\n\nsource: \`${str(v.source_path)}\`` : ""}`,
    );
    item.contextValue = "datasetVersion";
    item.command = { title: "Quality Report", command: "vibeflow.qualityReport", arguments: [{ version: str(v.ref) }] };
    return item;
  }

  async getChildren(node?: DatasetNode): Promise<DatasetNode[]> {
    if (node?.kind === "dataset") {
      return [...node.versions].reverse().map((version) => ({ kind: "version", version }));
    }
    if (node) return [];
    const api = this.backend.current;
    if (!api) return [];
    const datasets = await api.datasets();
    void vscode.commands.executeCommand("setContext", "vibeflow.hasDatasets", datasets.length > 0);
    return datasets.map((d) => ({ kind: "dataset", name: d.dataset, versions: d.versions }));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
