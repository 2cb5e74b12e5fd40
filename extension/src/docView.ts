/** Read-only generated Markdown documents (estimates, explanations) shown in the Markdown preview. */

import * as vscode from "vscode";

export const DOC_SCHEME = "vibeflow-doc";

export class DocProvider implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? "";
  }

  async show(name: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: `/${name}.md` });
    this.docs.set(uri.path, markdown);
    this.changed.fire(uri);
    await vscode.commands.executeCommand("markdown.showPreview", uri);
  }
}
