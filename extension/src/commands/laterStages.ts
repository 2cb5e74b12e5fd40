/**
 * Evaluate and Deploy commands: start an evaluation or a deployment of a completed run through the
 * backend's evaluation and serving routes, and open their panels.
 */

import * as vscode from "vscode";
import { ApiError, type Json } from "../api";
import { DeploymentPanel } from "../panels/deploymentPanel";
import { EvaluationPanel } from "../panels/evaluationPanel";
import { str } from "../text";
import { argField, type CommandTable, type Ctx } from "./context";

function notAvailable(what: string, error: unknown): boolean {
  if (error instanceof ApiError && error.status === 404 && error.kind === "HTTPError") {
    void vscode.window.showWarningMessage(`VibeFlow: this backend has no ${what} yet. Update the VibeFlow Python package.`);
    return true;
  }
  return false;
}

export async function evaluateRun(ctx: Ctx, runId: string): Promise<void> {
  const api = await ctx.backend.ready();
  try {
    const existing = await api.get<Json[]>(`/api/evaluations?run_id=${encodeURIComponent(runId)}&limit=5`);
    const usable = existing.find((e) => e.status !== "failed");
    if (usable) {
      const choice = await vscode.window.showQuickPick(
        [
          { label: `Open evaluation ${str(usable.id)}`, description: `${str(usable.status)}${usable.overall_tuned !== null && usable.overall_tuned !== undefined ? ` · tuned ${str(usable.overall_tuned)}` : ""}`, id: str(usable.id) },
          { label: "Evaluate again", description: "a new evaluation on the held-out split", id: "" },
        ],
        { title: `VibeFlow: ${runId} already has an evaluation` },
      );
      if (!choice) return;
      if (choice.id) {
        EvaluationPanel.show(ctx.context, ctx.backend, choice.id);
        return;
      }
    }
    const created = await api.post(`/api/runs/${encodeURIComponent(runId)}/evaluate`, {});
    EvaluationPanel.show(ctx.context, ctx.backend, str(created.id));
  } catch (error) {
    if (!notAvailable("evaluation", error)) throw error;
  }
}

export async function deployRun(ctx: Ctx, runId: string): Promise<void> {
  const api = await ctx.backend.ready();
  const engine = await vscode.window.showQuickPick(
    [
      { label: "auto", description: "vLLM when CUDA and vLLM are present, else the CPU engine" },
      { label: "cpu", description: "CPU engine (transformers + peft), any machine" },
      { label: "vllm", description: "vLLM OpenAI server (CUDA only)" },
      { label: "cloud", description: "vLLM on a cloud GPU through SkyPilot (SkyServe), behind the same gateway" },
    ],
    { title: `VibeFlow: deploy ${runId} with which engine?` },
  );
  if (!engine) return;
  const body: Record<string, unknown> = { run: runId, engine: engine.label, create_key: true };
  if (engine.label === "cloud") {
    const gpu = await vscode.window.showInputBox({
      title: "VibeFlow: GPU for each replica",
      value: "L4",
      prompt: "e.g. L4, A10, A100-40GB, H100-80GB (`vibeflow cloud plan` lists prices)",
    });
    if (!gpu) return;
    body.gpu = gpu;
  }
  try {
    const created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `VibeFlow: deploying ${runId} (${engine.label})` },
      // a cloud GPU is provisioned and the model loaded before the deployment goes live: allow an hour
      () => api.request("POST", "/api/deployments", body, engine.label === "cloud" ? 3_900_000 : 600_000),
    );
    ctx.deployments.refresh();
    DeploymentPanel.show(ctx.context, ctx.backend, str(created.id), created);
  } catch (error) {
    if (!notAvailable("deployments", error)) throw error;
  }
}

export function laterStageCommands(ctx: Ctx): CommandTable {
  DeploymentPanel.onChanged = () => ctx.deployments.refresh();
  return [
    [
      "vibeflow.openEvaluation",
      (arg?: unknown) => {
        const ref = argField(arg, "evaluationId") ?? argField(arg, "runId");
        if (ref) EvaluationPanel.show(ctx.context, ctx.backend, ref);
      },
    ],
    [
      "vibeflow.openDeployment",
      (arg?: unknown) => {
        const ref = argField(arg, "deploymentId");
        if (ref) DeploymentPanel.show(ctx.context, ctx.backend, ref);
      },
    ],
  ];
}
