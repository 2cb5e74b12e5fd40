/** Dataset commands: Quality Report (file or stored version) and Import Dataset. */

import * as vscode from "vscode";
import { ReportPanel } from "../panels/reportPanel";
import { argField, type CommandTable, type Ctx } from "./context";

export const DATASET_GLOB = "**/*.{jsonl,ndjson,jsonlines,csv,tsv,json,parquet}";
const DATASET_RE = /\.(jsonl|ndjson|jsonlines|csv|tsv|json|parquet)$/i;

export function isDatasetPath(path: string): boolean {
  return DATASET_RE.test(path) && !/(^|[\\/])(package(-lock)?|tsconfig|settings|launch)\.json$/i.test(path);
}

async function pickDatasetFile(title: string): Promise<string | undefined> {
  const files = (await vscode.workspace.findFiles(DATASET_GLOB, "**/{node_modules,.venv,.git}/**", 200)).filter((u) =>
    isDatasetPath(u.fsPath),
  );
  const browse = { label: "$(folder-opened) Browse…", path: "" };
  const pick = await vscode.window.showQuickPick(
    [...files.map((u) => ({ label: vscode.workspace.asRelativePath(u), path: u.fsPath })), browse],
    { title, placeHolder: "a CSV, TSV, JSON, JSONL or Parquet file" },
  );
  if (!pick) return undefined;
  if (pick.path) return pick.path;
  const chosen = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { Datasets: ["csv", "tsv", "json", "jsonl", "ndjson", "parquet"] },
  });
  return chosen?.[0]?.fsPath;
}

export function dataCommands(ctx: Ctx): CommandTable {
  ReportPanel.onVersionsChanged = () => ctx.datasets.refresh();

  const qualityReport = async (arg?: unknown): Promise<void> => {
    const version = argField(arg, "version");
    if (version) {
      ReportPanel.show(ctx.context, ctx.backend, { path: null, version });
      return;
    }
    let path = arg instanceof vscode.Uri ? arg.fsPath : (argField(arg, "dataPath") ?? argField(arg, "path"));
    if (!path) {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active?.scheme === "file" && isDatasetPath(active.fsPath)) path = active.fsPath;
    }
    path ??= await pickDatasetFile("VibeFlow: Quality Report for which file?");
    if (!path) return;
    ReportPanel.show(ctx.context, ctx.backend, { path, version: null });
  };

  return [
    ["vibeflow.qualityReport", qualityReport],
    ["vibeflow.openQualityReport", async (arg?: unknown) => {
      if (arg && typeof arg === "object" && (arg as { dataPath?: unknown }).dataPath === null) {
        void vscode.window.showWarningMessage("VibeFlow: the recipe's data.path does not point at a file yet.");
        return;
      }
      await qualityReport(arg);
    }],
    ["vibeflow.importDataset", async (arg?: unknown) => {
      const path = arg instanceof vscode.Uri ? arg.fsPath : (argField(arg, "path") ?? (await pickDatasetFile("VibeFlow: Import which file?")));
      if (!path) return;
      const api = await ctx.backend.ready();
      const version = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `VibeFlow: importing ${path.split(/[\\/]/).pop() ?? path}` },
        () => api.importFile(path),
      );
      ctx.datasets.refresh();
      ctx.brainstorm.datasetVersion = String(version.ref);
      ReportPanel.show(ctx.context, ctx.backend, { path, version: String(version.ref) });
    }],
    ["vibeflow.useDatasetInBrainstorm", (node?: unknown) => {
      const ref = (node as { version?: { ref?: string } } | undefined)?.version?.ref;
      if (ref) {
        ctx.brainstorm.datasetVersion = ref;
        void vscode.window.showInformationMessage(`VibeFlow: the Brainstorm chat now uses ${ref}.`);
      }
    }],
  ];
}
