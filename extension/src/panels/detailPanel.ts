/**
 * Base of the evaluation and deployment panels: one panel per object, a webview fed with the object's
 * JSON on `refresh`, `action` messages dispatched to a subclass, and polling while the object is busy.
 */

import type * as vscode from "vscode";
import type { Json } from "../api";
import { DETAIL_MESSAGES } from "../protocol";
import type { Backend } from "../server";
import { WebviewHost } from "./webview";

export abstract class DetailPanel implements vscode.Disposable {
  protected readonly host: WebviewHost;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly context: vscode.ExtensionContext,
    protected readonly backend: Backend,
    view: string,
    title: string,
  ) {
    this.host = new WebviewHost(panel.webview, context.extensionUri, view, title, DETAIL_MESSAGES, (m) => this.handle(m));
    panel.onDidDispose(() => this.dispose());
  }

  /** The object's JSON for the webview. */
  protected abstract fetch(): Promise<Json>;
  /** Whether to poll again (e.g. an evaluation still running). */
  protected abstract busy(data: Json): boolean;
  /** Performs a webview action; returns data to show as its result, or null. */
  protected abstract act(action: string, payload: Json): Promise<Json | null>;

  async refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.host.attempt("panel refresh", async () => {
      const data = await this.fetch();
      this.host.post({ type: "data", data });
      if (this.busy(data) && !this.disposed) this.timer = setTimeout(() => void this.refresh(), 2500);
    });
  }

  private async handle(message: { type: string; [key: string]: unknown }): Promise<void> {
    if (message.type === "refresh") {
      await this.refresh();
      return;
    }
    const action = message.action as string;
    const result = await this.act(action, (message.payload as Json | undefined) ?? {});
    if (result) this.host.post({ type: "result", action, data: result });
    await this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.host.dispose();
  }
}
