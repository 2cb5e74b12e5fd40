/**
 * Hosts one bundled webview (panel or sidebar view): sets its HTML and options, validates incoming
 * messages, handles the messages common to all panels, and queues outgoing ones until the page is ready.
 */

import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { log } from "../logger";
import { parseMessage } from "../protocol";
import { makeNonce, shellHtml } from "./html";

export type Handler = (message: { type: string; [key: string]: unknown }) => Promise<void> | void;

export class WebviewHost implements vscode.Disposable {
  private readyFlag = false;
  private queue: unknown[] = [];
  private readonly subscription: vscode.Disposable;
  /** The page is ready: the panel's first load (a failure is shown on the page with its fix). */
  onReady: (() => Promise<void> | void) | undefined;

  constructor(
    readonly webview: vscode.Webview,
    extensionUri: vscode.Uri,
    view: string,
    title: string,
    allowed: readonly string[],
    private readonly handler: Handler,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, "dist", "webviews");
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = shellHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${view}.js`)).toString(),
      styleUris: [
        webview.asWebviewUri(vscode.Uri.joinPath(dist, "common.css")).toString(),
        webview.asWebviewUri(vscode.Uri.joinPath(dist, `${view}.css`)).toString(),
      ],
      title,
      view,
    });
    this.subscription = webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw, allowed));
  }

  post(message: unknown): void {
    if (!this.readyFlag) {
      this.queue.push(message);
      return;
    }
    void this.webview.postMessage(message);
  }

  private async receive(raw: unknown, allowed: readonly string[]): Promise<void> {
    const message = parseMessage(raw, allowed);
    if (!message) {
      log.warn(`ignored a malformed webview message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    try {
      switch (message.type) {
        case "ready": {
          this.readyFlag = true;
          const queued = this.queue;
          this.queue = [];
          for (const m of queued) void this.webview.postMessage(m);
          await this.onReady?.();
          break;
        }
        case "openFile": {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(message.path as string));
          const line = Math.max(0, ((message.line as number | undefined) ?? 1) - 1);
          await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
          break;
        }
        case "command":
          await vscode.commands.executeCommand(message.command as string, ...((message.args as unknown[]) ?? []));
          break;
        case "copy":
          await vscode.env.clipboard.writeText(message.text as string);
          void vscode.window.setStatusBarMessage("VibeFlow: copied to the clipboard", 2000);
          break;
        default:
          await this.handler(message);
      }
    } catch (error) {
      this.showError(`webview action '${message.type}'`, error);
    }
  }

  /** Runs a panel's own work (a reload, a refresh) and shows a failure on the page, never dropping it. */
  async attempt(what: string, task: () => Promise<void> | void): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.showError(what, error);
    }
  }

  private showError(what: string, error: unknown): void {
    const err = error as { message?: string; fix?: string };
    log.error(`${what} failed: ${err.message ?? String(error)}`);
    this.post({ type: "error", message: err.message ?? String(error), fix: err.fix ?? "" });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
