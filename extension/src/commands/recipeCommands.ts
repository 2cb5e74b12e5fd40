/** Recipe commands: Estimate Cost & Time, Why These Settings?, new recipe from a recommendation or a preset. */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as vscode from "vscode";
import { estimateMarkdown, estimateSummary, explainMarkdown } from "../format";
import { findRecipe, workspaceRoot, writeRecipe } from "../recipeFile";
import { argField, type CommandTable, type Ctx } from "./context";
import { BRAINSTORM_VIEW_ID } from "../panels/brainstormView";

async function recipeUri(arg: unknown): Promise<vscode.Uri | undefined> {
  const given = argField(arg, "recipeUri");
  const uri = given ? vscode.Uri.parse(given) : await findRecipe();
  if (!uri) void vscode.window.showWarningMessage("VibeFlow: open or create a vibeflow.yaml first.");
  return uri;
}

export function recipeCommands(ctx: Ctx): CommandTable {
  return [
    ["vibeflow.estimate", async (arg?: unknown) => {
      const uri = await recipeUri(arg);
      if (!uri) return;
      const doc = await vscode.workspace.openTextDocument(uri);
      const api = await ctx.backend.ready();
      if (doc.isDirty) await doc.save();
      const estimate = await api.estimate({ recipe_path: uri.fsPath });
      void vscode.window.showInformationMessage(`VibeFlow estimate: ${estimateSummary(estimate)}`);
      await ctx.docs.show("Estimate", estimateMarkdown(estimate, `Estimate — ${vscode.workspace.asRelativePath(uri)}`));
    }],
    ["vibeflow.explainSettings", async (arg?: unknown) => {
      const uri = await recipeUri(arg);
      if (!uri) return;
      await vscode.workspace.openTextDocument(uri);
      await ctx.backend.ready();
      const client = ctx.backend.languageClient;
      if (!client) throw new Error("the VibeFlow language server is not running: run 'VibeFlow: Restart Server'");
      const result = await client.sendRequest<Record<string, unknown>>("vibeflow/explainRecipe", { uri: uri.toString() });
      await ctx.docs.show("Why these settings", explainMarkdown(result, vscode.workspace.asRelativePath(uri)));
    }],
    ["vibeflow.newRecipeFromRecommendation", async () => {
      const api = await ctx.backend.ready();
      const project = vscode.workspace.workspaceFolders?.[0]?.name ?? "default";
      try {
        const result = await api.post("/api/agent/recipe", { project });
        if (typeof result.yaml === "string") {
          await writeRecipe(result.yaml);
          return;
        }
      } catch {
        // no agreed recommendation yet: go to the chat
      }
      await vscode.commands.executeCommand(`${BRAINSTORM_VIEW_ID}.focus`);
      void vscode.window.showInformationMessage(
        "VibeFlow: describe what you want in the Brainstorm chat (or press \"Let AI pick\"); then press Start or run this command again.",
      );
    }],
    ["vibeflow.newRecipeFromPreset", async () => {
      const root = workspaceRoot();
      if (!root) throw new Error("open a folder first: the recipe lives in your workspace");
      const preset = await vscode.window.showQuickPick(
        [
          { label: "balanced", description: "most use cases (default)" },
          { label: "conservative", description: "first run, lowest risk and cost" },
          { label: "aggressive", description: "complex data, maximum quality; more overfitting risk" },
        ],
        { title: "VibeFlow: preset" },
      );
      if (!preset) return;
      const files = await vscode.workspace.findFiles("**/*.{csv,tsv,jsonl,json,parquet}", "**/{node_modules,.venv,.git}/**", 100);
      const data = await vscode.window.showQuickPick(
        files.map((u) => ({ label: vscode.workspace.asRelativePath(u), path: u.fsPath })),
        { title: "VibeFlow: training data" },
      );
      const python = ctx.backend.python;
      if (!python) throw new Error("the VibeFlow backend is not running: run 'VibeFlow: Restart Server'");
      const dir = await mkdtemp(join(tmpdir(), "vibeflow-recipe-"));
      try {
        const args = ["-m", "vibeflow", "init", "--preset", preset.label, "--dir", dir, "--name", (vscode.workspace.name ?? "recipe").replace(/[^A-Za-z0-9_.-]+/g, "-")];
        if (data) args.push("--data", data.path);
        await new Promise<void>((resolve, reject) =>
          execFile(python, args, { timeout: 60_000 }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve())),
        );
        let text = await readFile(join(dir, "vibeflow.yaml"), "utf8");
        if (data) {
          const written = relative(dir, data.path).split("\\").join("/");
          text = text.replace(`path: ${written}`, `path: ${relative(root.fsPath, data.path).split("\\").join("/")}`);
        }
        await writeRecipe(text);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }],
  ];
}
