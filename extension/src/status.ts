/**
 * Shows the backend's state: a LanguageStatusItem next to VibeFlow files, a status bar entry, and the
 * `vibeflow.serverState` context key that the views' welcome content reacts to.
 */

import * as vscode from "vscode";

export type ServerState = "stopped" | "starting" | "ready" | "busy" | "error";

const ICONS: Record<ServerState, string> = {
  stopped: "$(circle-slash)",
  starting: "$(loading~spin)",
  ready: "$(check)",
  busy: "$(sync~spin)",
  error: "$(error)",
};

export const FILE_SELECTOR: vscode.DocumentSelector = [
  { scheme: "file", pattern: "**/vibeflow.{yaml,yml}" },
  { scheme: "file", pattern: "**/*.{jsonl,ndjson,jsonlines,csv,tsv,json}" },
];

export class StatusView implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem("vibeflow.server", FILE_SELECTOR);
  private readonly bar = vscode.window.createStatusBarItem("vibeflow.status", vscode.StatusBarAlignment.Left, 10);
  state: ServerState = "stopped";

  constructor() {
    this.item.name = "VibeFlow";
    this.bar.name = "VibeFlow";
    this.bar.command = "vibeflow.showLogs";
    this.set("stopped", "VibeFlow backend not started");
    this.bar.show();
  }

  set(state: ServerState, message: string, detail?: string): void {
    this.state = state;
    this.item.text = `${ICONS[state]} VibeFlow`;
    this.item.detail = message;
    this.item.busy = state === "starting" || state === "busy";
    this.item.severity =
      state === "error" ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.item.command =
      state === "error"
        ? { title: "Restart", command: "vibeflow.restartServer" }
        : { title: "Show Logs", command: "vibeflow.showLogs" };
    this.bar.text = `${ICONS[state]} VibeFlow`;
    this.bar.tooltip = detail ? `${message}\n${detail}` : message;
    // a stable label for screen readers and the end-to-end tests: `VibeFlow: ready`
    this.bar.accessibilityInformation = { label: `VibeFlow: ${state}`, role: "button" };
    this.bar.backgroundColor =
      state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    void vscode.commands.executeCommand("setContext", "vibeflow.serverState", state);
  }

  dispose(): void {
    this.item.dispose();
    this.bar.dispose();
  }
}
