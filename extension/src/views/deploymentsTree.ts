/** The Deployments view: deployed runs from the backend's serving routes (empty with a welcome text until then). */

import { str } from "../text";
import * as vscode from "vscode";
import type { Json } from "../api";
import type { Backend } from "../server";

export class DeploymentsTree implements vscode.TreeDataProvider<Json>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Json | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly backend: Backend) {
    this.subscription = backend.onDidChangeApi(() => this.refresh());
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(d: Json): vscode.TreeItem {
    const item = new vscode.TreeItem(str(d.name ?? d.id), vscode.TreeItemCollapsibleState.None);
    item.id = `deployment:${str(d.id)}`;
    item.description = [d.status, d.engine, d.url].filter(Boolean).map(String).join(" · ");
    const healthy = d.status === "live";
    item.iconPath = new vscode.ThemeIcon(healthy ? "cloud" : "cloud-download", new vscode.ThemeColor(healthy ? "testing.iconPassed" : "foreground"));
    item.contextValue = `deployment deployment-${str(d.status)}`;
    item.command = { title: "Open Deployment", command: "vibeflow.openDeployment", arguments: [{ deploymentId: str(d.id) }] };
    return item;
  }

  async getChildren(element?: Json): Promise<Json[]> {
    if (element) return [];
    const api = this.backend.current;
    if (!api) return [];
    try {
      const data = await api.get<Json[] | { deployments?: Json[] }>("/api/deployments");
      return Array.isArray(data) ? data : (data.deployments ?? []);
    } catch {
      return [];
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
