/** Run commands: start training from vibeflow.yaml, stop/resume/retry, open the monitor, evaluate, deploy. */

import { str } from "../text";
import * as vscode from "vscode";
import type { Json } from "../api";
import { estimateSummary } from "../format";
import { MonitorPanel } from "../panels/monitorPanel";
import { findRecipe } from "../recipeFile";
import { ACTIVE, type RunSummary } from "../views/runModel";
import { argField, type CommandTable, type Ctx } from "./context";
import { deployRun, evaluateRun } from "./laterStages";

async function pickRun(ctx: Ctx, arg: unknown, title: string, filter: (r: RunSummary) => boolean): Promise<string | undefined> {
  const given = argField(arg, "runId") ?? argField(arg, "id");
  if (given) return given;
  await ctx.runs.refresh().catch(() => undefined);
  const runs = ctx.runs.runs.list().filter(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage("VibeFlow: no matching runs.");
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.name ?? r.id, description: `${r.status} · ${r.id}`, id: r.id })),
    { title },
  );
  return pick?.id;
}

export function runCommands(ctx: Ctx): CommandTable {
  const openMonitor = (runId: string): void => {
    MonitorPanel.show(ctx.context, ctx.backend, runId);
  };
  return [
    ["vibeflow.startTraining", async (arg?: unknown) => {
      const given = argField(arg, "recipeUri");
      const uri = given ? vscode.Uri.parse(given) : await findRecipe();
      if (!uri) {
        const choice = await vscode.window.showWarningMessage(
          "VibeFlow: no vibeflow.yaml in this workspace.",
          "New Recipe from Recommendation",
          "New Recipe from Preset",
        );
        if (choice) await vscode.commands.executeCommand(choice.includes("Preset") ? "vibeflow.newRecipeFromPreset" : "vibeflow.newRecipeFromRecommendation");
        return;
      }
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
      const api = await ctx.backend.ready();
      const overrides = (arg as { overrides?: Json } | undefined)?.overrides ?? {};
      const estimate = await api.estimate({ recipe_path: uri.fsPath }).catch(() => null);
      const chosen = (estimate?.cost as Json | undefined)?.chosen as Json | undefined;
      if (estimate && chosen && chosen.tier !== "local") {
        const answer = await vscode.window.showWarningMessage(
          `Start training? ${estimateSummary(estimate)}`,
          { modal: true, detail: "Cloud GPU time is billed while the run is active." },
          "Start Training",
        );
        if (answer !== "Start Training") return;
      }
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "VibeFlow: preparing the data and queueing the run" },
        () => api.createRun({ recipe_path: uri.fsPath, overrides }),
      );
      await ctx.runs.refresh();
      ctx.datasets.refresh(); // preparing the data may have created versions
      openMonitor(str(run.id));
    }],
    ["vibeflow.stopRun", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: stop which run?", (r) => ACTIVE.has(r.status));
      if (!id) return;
      const api = await ctx.backend.ready();
      await api.stopRun(id);
      void vscode.window.showInformationMessage(`VibeFlow: stopping ${id} (it saves a checkpoint first).`);
    }],
    ["vibeflow.resumeRun", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: resume which run?", (r) => ["stopped", "failed", "orphaned"].includes(r.status));
      if (!id) return;
      await (await ctx.backend.ready()).resumeRun(id);
      openMonitor(id);
    }],
    ["vibeflow.retryRun", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: retry which run?", (r) => !ACTIVE.has(r.status));
      if (!id) return;
      const api = await ctx.backend.ready();
      const plan = await api.retryPlan(id);
      const suggestion = (plan.suggestion ?? {}) as Json;
      const answer = await vscode.window.showInformationMessage(
        `Retry ${id}: ${str(suggestion.summary ?? suggestion.reason ?? "re-run with the suggested changes")}`,
        { modal: true, detail: JSON.stringify(plan.diff ?? {}, null, 1) },
        "Retry",
      );
      if (answer !== "Retry") return;
      const run = await api.retryRun(id, null);
      openMonitor(str(run.id));
    }],
    ["vibeflow.openRunMonitor", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: monitor which run?", () => true);
      if (id) openMonitor(id);
    }],
    ["vibeflow.evaluateRun", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: evaluate which run?", (r) => r.status === "completed");
      if (id) await evaluateRun(ctx, id);
    }],
    ["vibeflow.deployRun", async (arg?: unknown) => {
      const id = await pickRun(ctx, arg, "VibeFlow: deploy which run?", (r) => r.status === "completed");
      if (id) await deployRun(ctx, id);
    }],
  ];
}
