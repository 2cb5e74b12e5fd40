/**
 * Writes vibeflow.yaml through an undoable WorkspaceEdit (create, or replace the whole text of an existing
 * file after asking), so generated recipes never overwrite a user's file behind their back.
 */

import * as vscode from "vscode";

export function workspaceRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** The workspace's recipe: the active editor's, else the first `vibeflow.yaml` found. */
export async function findRecipe(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /vibeflow\.ya?ml$/.test(active.path)) return active;
  const found = await vscode.workspace.findFiles("**/vibeflow.{yaml,yml}", "**/node_modules/**", 5);
  if (found.length <= 1) return found[0];
  const pick = await vscode.window.showQuickPick(
    found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: "VibeFlow: which recipe?" },
  );
  return pick?.uri;
}

export async function writeRecipe(yaml: string): Promise<vscode.Uri | undefined> {
  const root = workspaceRoot();
  if (!root) {
    void vscode.window.showErrorMessage("VibeFlow: open a folder first: the recipe (vibeflow.yaml) lives in your workspace.");
    return undefined;
  }
  const target = (await findRecipe()) ?? vscode.Uri.joinPath(root, "vibeflow.yaml");
  const edit = new vscode.WorkspaceEdit();
  let exists = true;
  try {
    await vscode.workspace.fs.stat(target);
  } catch {
    exists = false;
  }
  if (exists) {
    const answer = await vscode.window.showWarningMessage(
      `Replace the contents of ${vscode.workspace.asRelativePath(target)} with the recommended recipe? (Undo with Ctrl+Z.)`,
      { modal: true },
      "Replace",
    );
    if (answer !== "Replace") return undefined;
    const doc = await vscode.workspace.openTextDocument(target);
    edit.replace(target, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), yaml);
  } else {
    edit.createFile(target, { ignoreIfExists: true });
    edit.insert(target, new vscode.Position(0, 0), yaml);
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`VibeFlow: could not write ${target.fsPath}`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(target);
  await doc.save();
  await vscode.window.showTextDocument(doc, { preview: false });
  return target;
}
