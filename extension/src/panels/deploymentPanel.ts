/** Deployment panel: endpoint and snippets, test prompt, usage, API keys, A/B split, rollback, start/stop. */

import * as vscode from "vscode";
import type { Json } from "../api";
import type { Backend } from "../server";
import { str } from "../text";
import { DetailPanel } from "./detailPanel";

export const DEPLOYMENT_VIEW_TYPE = "vibeflow.deployment";
const BUSY = new Set(["starting", "deploying", "checking", "pending", "restarting"]);

export class DeploymentPanel extends DetailPanel {
  private static readonly open = new Map<string, DeploymentPanel>();
  /** Called after an action changed deployments (the Deployments view refreshes). */
  static onChanged: (() => void) | undefined;

  static show(context: vscode.ExtensionContext, backend: Backend, ref: string, created?: Json): DeploymentPanel {
    let panel = DeploymentPanel.open.get(ref);
    if (panel) panel.panel.reveal();
    else {
      const webview = vscode.window.createWebviewPanel(DEPLOYMENT_VIEW_TYPE, `Deployment ${ref}`, vscode.ViewColumn.Active, {
        retainContextWhenHidden: true,
      });
      panel = new DeploymentPanel(webview, context, backend, ref);
    }
    if (created?.api_key) panel.host.post({ type: "result", action: "createKey", data: created.api_key as Json });
    void panel.refresh();
    return panel;
  }

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    backend: Backend,
    private readonly ref: string,
  ) {
    super(panel, context, backend, "deployments", "Deployment");
    DeploymentPanel.open.set(ref, this);
    panel.onDidDispose(() => DeploymentPanel.open.delete(ref));
  }

  private get path(): string {
    return `/api/deployments/${encodeURIComponent(this.ref)}`;
  }

  protected async fetch(): Promise<Json> {
    const api = await this.backend.ready();
    const deployment = await api.get(this.path);
    const [usage, keys] = await Promise.all([
      api.get(`${this.path}/usage`).catch(() => null),
      api.get<Json[]>(`/api/keys?deployment=${encodeURIComponent(this.ref)}`).catch(() => []),
    ]);
    this.panel.title = `Deployment: ${str(deployment.name)}`;
    return { deployment, usage, keys };
  }

  protected busy(data: Json): boolean {
    return BUSY.has(str((data.deployment as Json | undefined)?.status));
  }

  protected async act(action: string, payload: Json): Promise<Json | null> {
    const api = await this.backend.ready();
    let result: Json | null = null;
    switch (action) {
      case "stop":
      case "start":
      case "rollback":
        await api.post(`${this.path}/${action}`);
        break;
      case "split":
        await api.post(`${this.path}/split`, { version_b: payload.version_b, weight_b: payload.weight_b });
        break;
      case "test":
        result = await api.post(`${this.path}/test`, { messages: [{ role: "user", content: str(payload.prompt) }], max_tokens: 64 });
        break;
      case "createKey":
        result = await api.post("/api/keys", { deployment: this.ref, name: str(payload.name) || "default" });
        break;
      case "rotateKey":
        result = await api.post(`/api/keys/${encodeURIComponent(str(payload.id))}/rotate`);
        break;
      case "revokeKey":
        await api.post(`/api/keys/${encodeURIComponent(str(payload.id))}/revoke`);
        break;
      case "package": {
        const built = await api.post(`${this.path}/package`, { zip: true });
        result = built;
        const path = str(built.zip ?? built.directory);
        if (path) void vscode.commands.executeCommand("revealFileInOS", vscode.Uri.file(path));
        break;
      }
      case "logs":
        result = await api.get(`${this.path}/logs?tail=200`);
        break;
    }
    DeploymentPanel.onChanged?.();
    return result;
  }
}
