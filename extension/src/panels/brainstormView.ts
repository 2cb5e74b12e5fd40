/**
 * The "Brainstorm" chat in the VibeFlow sidebar: relays the user's messages to the backend's agent
 * (`/api/agent/*`), shows its replies and recommendation cards, and turns an agreed recommendation into
 * vibeflow.yaml (an undoable edit) and a training run.
 */

import { str } from "../text";
import * as vscode from "vscode";
import { ApiError } from "../api";
import { conversationTurns } from "../chat";
import { CHAT_MESSAGES } from "../protocol";
import { writeRecipe } from "../recipeFile";
import type { Backend } from "../server";
import { WebviewHost } from "./webview";

export const BRAINSTORM_VIEW_ID = "vibeflow.brainstorm";

export class BrainstormView implements vscode.WebviewViewProvider {
  private host: WebviewHost | undefined;
  /** The dataset version the conversation is about (set from the Datasets view or the last import). */
  datasetVersion: string | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly backend: Backend,
  ) {}

  private get project(): string {
    return vscode.workspace.workspaceFolders?.[0]?.name ?? "default";
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.host = new WebviewHost(view.webview, this.context.extensionUri, "brainstorm", "Brainstorm", CHAT_MESSAGES, (m) =>
      this.handle(m),
    );
    this.host.onReady = () => this.loadHistory();
    view.onDidDispose(() => {
      this.host?.dispose();
      this.host = undefined;
    });
  }

  /** Sends a message as if typed (used by the welcome prompt and commands). */
  async say(text: string): Promise<void> {
    await vscode.commands.executeCommand(`${BRAINSTORM_VIEW_ID}.focus`);
    await this.handle({ type: "send", text });
  }

  private async loadHistory(): Promise<void> {
    try {
      const api = await this.backend.ready();
      const data = await api.get(`/api/agent/conversation?project=${encodeURIComponent(this.project)}`);
      const { turns, reply } = conversationTurns(data);
      this.host?.post({ type: "history", turns, reply });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.host?.post({ type: "history", turns: [], reply: null });
        return;
      }
      this.post_error(error);
    }
  }

  private post_error(error: unknown): void {
    const err = error as { message?: string; fix?: string };
    this.host?.post({ type: "error", message: err.message ?? str(error), fix: err.fix ?? "" });
  }

  private async handle(message: { type: string; [key: string]: unknown }): Promise<void> {
    const chatting = message.type === "send" || message.type === "pick";
    if (chatting) this.host?.post({ type: "thinking", on: true });
    let api;
    try {
      api = await this.backend.ready();
    } catch (error) {
      if (chatting) this.host?.post({ type: "thinking", on: false });
      throw error;
    }
    switch (message.type) {
      case "send": {
        try {
          const reply = await api.post("/api/agent/messages", {
            project: this.project,
            message: message.text,
            dataset_version: this.datasetVersion,
          });
          this.host?.post({ type: "reply", reply });
        } finally {
          this.host?.post({ type: "thinking", on: false });
        }
        break;
      }
      case "pick": {
        try {
          const reply = await api.post("/api/agent/pick", { project: this.project, dataset_version: this.datasetVersion });
          this.host?.post({ type: "reply", reply });
        } finally {
          this.host?.post({ type: "thinking", on: false });
        }
        break;
      }
      case "writeRecipe":
        await this.writeRecipe();
        break;
      case "start": {
        const uri = await this.writeRecipe();
        if (uri) await vscode.commands.executeCommand("vibeflow.startTraining", { recipeUri: uri.toString(), recipePath: uri.fsPath });
        break;
      }
      case "learnMore":
        await vscode.commands.executeCommand("vibeflow.explainSettings");
        break;
    }
  }

  private async writeRecipe(): Promise<vscode.Uri | undefined> {
    const api = await this.backend.ready();
    const result = await api.post("/api/agent/recipe", { project: this.project });
    if (typeof result.yaml !== "string") throw new Error("the agent returned no recipe: agree on a recommendation first");
    return writeRecipe(result.yaml);
  }
}
