/**
 * Entry point: creates the log, status item and backend, registers the views, panels and commands, and
 * starts the language server. Everything else lives in small modules; this file only wires them.
 */

import * as vscode from "vscode";
import { dataCommands } from "./commands/dataCommands";
import { laterStageCommands } from "./commands/laterStages";
import { recipeCommands } from "./commands/recipeCommands";
import { runCommands } from "./commands/runCommands";
import type { Ctx } from "./commands/context";
import { DOC_SCHEME, DocProvider } from "./docView";
import { onPythonInterpreterChange } from "./interpreter";
import { log, logChannel } from "./logger";
import { BRAINSTORM_VIEW_ID, BrainstormView } from "./panels/brainstormView";
import { MONITOR_VIEW_TYPE, monitorSerializer } from "./panels/monitorPanel";
import { REPORT_VIEW_TYPE, reportSerializer } from "./panels/reportPanel";
import { promptSecret } from "./secrets";
import { Backend } from "./server";
import { StatusView } from "./status";
import { DatasetsTree } from "./views/datasetsTree";
import { DeploymentsTree } from "./views/deploymentsTree";
import { RunsTree } from "./views/runsTree";

let backend: Backend | undefined;

/** Wraps a command so a failure becomes one error message with the fix and a log line, never a silent no-op. */
function guarded(id: string, fn: (arg?: unknown) => unknown): (arg?: unknown) => Promise<void> {
  return async (arg?: unknown) => {
    try {
      await fn(arg);
    } catch (error) {
      const err = error as { message?: string; fix?: string };
      const message = err.message ?? String(error);
      log.error(`${id}: ${message}${err.fix ? `\n  fix: ${err.fix}` : ""}`);
      const choice = await vscode.window.showErrorMessage(`VibeFlow: ${message}${err.fix ? ` — ${err.fix}` : ""}`, "Show Logs");
      if (choice) log.show();
    }
  };
}

export function activate(context: vscode.ExtensionContext): { backend: Backend } {
  logChannel();
  const status = new StatusView();
  backend = new Backend(context, status);
  const datasets = new DatasetsTree(backend);
  const runs = new RunsTree(backend);
  const deployments = new DeploymentsTree(backend);
  const brainstorm = new BrainstormView(context, backend);
  const docs = new DocProvider();
  const ctx: Ctx = { context, backend, datasets, runs, deployments, brainstorm, docs };

  context.subscriptions.push(
    status,
    backend,
    datasets,
    runs,
    deployments,
    vscode.window.createTreeView("vibeflow.datasets", { treeDataProvider: datasets, showCollapseAll: true }),
    vscode.window.createTreeView("vibeflow.runs", { treeDataProvider: runs }),
    vscode.window.createTreeView("vibeflow.deployments", { treeDataProvider: deployments }),
    vscode.window.registerWebviewViewProvider(BRAINSTORM_VIEW_ID, brainstorm, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, reportSerializer(context, backend)),
    vscode.window.registerWebviewPanelSerializer(MONITOR_VIEW_TYPE, monitorSerializer(context, backend)),
    vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, docs),
  );

  const simple: Record<string, (arg?: unknown) => unknown> = {
    "vibeflow.restartServer": () => backend?.restart(),
    "vibeflow.showLogs": () => log.show(),
    "vibeflow.installBackend": () => backend?.installBackend(),
    "vibeflow.setGeminiKey": async () => (await promptSecret(context, "gemini")) && backend?.scheduleRestart(),
    "vibeflow.setHuggingFaceToken": async () => (await promptSecret(context, "huggingFace")) && backend?.scheduleRestart(),
    "vibeflow.refreshDatasets": () => datasets.refresh(),
    "vibeflow.refreshRuns": () => runs.refresh(),
    "vibeflow.refreshDeployments": () => deployments.refresh(),
    "vibeflow.openBrainstorm": () => vscode.commands.executeCommand(`${BRAINSTORM_VIEW_ID}.focus`),
    "vibeflow.openWalkthrough": () =>
      vscode.commands.executeCommand("workbench.action.openWalkthrough", "vibeflow.vibeflow#vibeflow.gettingStarted", false),
  };
  for (const [id, fn] of [...Object.entries(simple), ...dataCommands(ctx), ...runCommands(ctx), ...recipeCommands(ctx), ...laterStageCommands(ctx)]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(id, fn)));
  }

  void onPythonInterpreterChange(() => {
    log.info("the Python extension's interpreter changed: restarting the backend shortly");
    backend?.scheduleRestart();
  }).then((d) => d && context.subscriptions.push(d));

  void backend.start();
  void firstRun(context);
  return { backend };
}

async function firstRun(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get<boolean>("vibeflow.welcomed")) return;
  await context.globalState.update("vibeflow.welcomed", true);
  const choice = await vscode.window.showInformationMessage(
    "Welcome to VibeFlow: describe what you want in the Brainstorm chat, or bring a dataset and get a quality report.",
    "Open Brainstorm",
    "Walkthrough",
  );
  if (choice === "Open Brainstorm") await vscode.commands.executeCommand(`${BRAINSTORM_VIEW_ID}.focus`);
  else if (choice === "Walkthrough") await vscode.commands.executeCommand("vibeflow.openWalkthrough");
}

export async function deactivate(): Promise<void> {
  await backend?.stop();
}
