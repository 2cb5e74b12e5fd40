/** Evaluation panel: base vs tuned scores, metric table, side-by-side examples, hints and report export. */

import * as vscode from "vscode";
import type { Json } from "../api";
import type { Backend } from "../server";
import { str } from "../text";
import { DetailPanel } from "./detailPanel";

export const EVALUATION_VIEW_TYPE = "vibeflow.evaluation";
const BUSY = new Set(["queued", "running", "pending", "starting"]);

export class EvaluationPanel extends DetailPanel {
  private static readonly open = new Map<string, EvaluationPanel>();

  static show(context: vscode.ExtensionContext, backend: Backend, ref: string): EvaluationPanel {
    const existing = EvaluationPanel.open.get(ref);
    if (existing) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(EVALUATION_VIEW_TYPE, `Evaluation ${ref}`, vscode.ViewColumn.Active, {
      retainContextWhenHidden: true,
    });
    return new EvaluationPanel(panel, context, backend, ref);
  }

  constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    backend: Backend,
    private readonly ref: string,
  ) {
    super(panel, context, backend, "evaluation", "Evaluation");
    EvaluationPanel.open.set(ref, this);
    panel.onDidDispose(() => EvaluationPanel.open.delete(ref));
  }

  protected async fetch(): Promise<Json> {
    const api = await this.backend.ready();
    const data = await api.get(`/api/evaluations/${encodeURIComponent(this.ref)}`);
    this.panel.title = `Evaluation: ${str(data.run_id)}`;
    return data;
  }

  protected busy(data: Json): boolean {
    return BUSY.has(str(data.status));
  }

  protected async act(action: string, payload: Json): Promise<Json | null> {
    const api = await this.backend.ready();
    const data = await api.get(`/api/evaluations/${encodeURIComponent(this.ref)}`);
    const runId = str(data.run_id);
    switch (action) {
      case "export": {
        const format = payload.format === "pdf" ? "pdf" : "html";
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()), `evaluation-${str(data.id)}.${format}`),
          filters: format === "pdf" ? { PDF: ["pdf"] } : { HTML: ["html"] },
        });
        if (!target) return null;
        const bytes = await api.download(`/api/evaluations/${encodeURIComponent(str(data.id))}/report.${format}`);
        await vscode.workspace.fs.writeFile(target, bytes);
        void vscode.window.showInformationMessage(`VibeFlow: report saved to ${target.fsPath}`, "Open").then(
          (c) => c && vscode.env.openExternal(target),
        );
        return { saved: target.fsPath };
      }
      case "hint": {
        const kind = str(payload.kind);
        const command = str(payload.command);
        if (kind.includes("data")) await vscode.commands.executeCommand("vibeflow.qualityReport");
        else if (command.includes("runs retry")) await vscode.commands.executeCommand("vibeflow.retryRun", { runId });
        else if (command.includes("recommend")) await vscode.commands.executeCommand("vibeflow.openBrainstorm");
        else {
          await vscode.env.clipboard.writeText(command);
          void vscode.window.showInformationMessage(`VibeFlow: copied \`${command}\``);
        }
        return null;
      }
      case "deploy":
        await vscode.commands.executeCommand("vibeflow.deployRun", { runId });
        return null;
      case "rerun": {
        const created = await api.post(`/api/runs/${encodeURIComponent(runId)}/evaluate`, {});
        EvaluationPanel.show(this.context, this.backend, str(created.id));
        return null;
      }
      default:
        return null;
    }
  }
}
