/**
 * The data quality report panel: a report of a user's file (nothing stored) or of a stored dataset
 * version; fix buttons create new immutable versions through the API and never touch the user's file.
 */

import { str } from "../text";
import * as vscode from "vscode";
import { ApiError, type Json } from "../api";
import type { Backend } from "../server";
import { REPORT_MESSAGES, type ReportSource } from "../protocol";
import { WebviewHost } from "./webview";

export const REPORT_VIEW_TYPE = "vibeflow.report";

interface Mapping {
  input_col?: string;
  output_col?: string;
}

export class ReportPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReportPanel>();
  /** Called after a fix/import/split created versions (the Datasets view refreshes). */
  static onVersionsChanged: (() => void) | undefined;
  readonly host: WebviewHost;
  private mapping: Mapping = {};

  static show(context: vscode.ExtensionContext, backend: Backend, source: ReportSource): ReportPanel {
    const key = source.version ?? source.path ?? "";
    const existing = ReportPanel.open.get(key);
    if (existing) {
      existing.panel.reveal();
      void existing.host.attempt("quality report", () => existing.load());
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, ReportPanel.title(source), vscode.ViewColumn.Active, {
      retainContextWhenHidden: true,
    });
    return new ReportPanel(panel, context, backend, source);
  }

  static title(source: ReportSource): string {
    const name = source.version ?? source.path?.split(/[\\/]/).pop() ?? "dataset";
    return `Quality: ${name}`;
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly backend: Backend,
    private source: ReportSource,
  ) {
    ReportPanel.open.set(this.key, this);
    this.host = new WebviewHost(panel.webview, context.extensionUri, "report", "Data quality report", REPORT_MESSAGES, (m) =>
      this.handle(m),
    );
    this.host.onReady = () => this.load();
    panel.onDidDispose(() => this.dispose());
  }

  private get key(): string {
    return this.source.version ?? this.source.path ?? "";
  }

  get state(): ReportSource {
    return this.source;
  }

  async load(): Promise<void> {
    const api = await this.backend.ready();
    if (this.source.version) {
      this.host.post({ type: "loading", message: `Loading the report of ${this.source.version}…` });
      const [report, version] = await Promise.all([api.versionReport(this.source.version), api.version(this.source.version)]);
      this.host.post({ type: "report", source: this.source, report, version });
      await this.rows(0, 50, null, null);
      return;
    }
    if (!this.source.path) return;
    this.host.post({ type: "loading", message: "Scoring every row (duplicates, lengths, encoding, language, PII)…" });
    try {
      const report = await api.reportFile(this.source.path, { ...this.mapping });
      this.host.post({ type: "report", source: this.source, report, version: null });
    } catch (error) {
      if (error instanceof ApiError && error.kind === "MappingError" && Array.isArray(error.details.columns)) {
        const guess = (error.details.best_guess ?? {}) as { input?: string[]; output?: string | null };
        this.host.post({
          type: "mappingNeeded",
          message: error.message,
          columns: error.details.columns as string[],
          guessInput: guess.input?.[0] ?? null,
          guessOutput: guess.output ?? null,
        });
        return;
      }
      throw error;
    }
  }

  private async rows(offset: number, limit: number, minScore: number | null, maxScore: number | null): Promise<void> {
    if (!this.source.version) return;
    const api = await this.backend.ready();
    const page = await api.rows(this.source.version, { offset, limit, minScore, maxScore });
    this.host.post({ type: "rows", total: page.total, offset: page.offset, rows: page.rows });
  }

  /** The stored version to fix: the current one, or a fresh import of the user's file (read, never written). */
  private async ensureVersion(): Promise<string> {
    if (this.source.version) return this.source.version;
    const api = await this.backend.ready();
    const imported = await api.importFile(this.source.path ?? "", { ...this.mapping });
    this.retarget({ path: this.source.path, version: str(imported.ref) });
    return str(imported.ref);
  }

  private retarget(source: ReportSource): void {
    ReportPanel.open.delete(this.key);
    this.source = source;
    ReportPanel.open.set(this.key, this);
    this.panel.title = ReportPanel.title(source);
    ReportPanel.onVersionsChanged?.();
  }

  private async handle(message: { type: string; [key: string]: unknown }): Promise<void> {
    const api = await this.backend.ready();
    switch (message.type) {
      case "refresh":
        await this.load();
        break;
      case "setMapping":
        this.mapping = { input_col: message.inputCol as string };
        if (message.outputCol) this.mapping.output_col = message.outputCol as string;
        await this.load();
        break;
      case "importVersion":
        this.host.post({ type: "loading", message: "Importing as a new dataset version…" });
        await this.ensureVersion();
        await this.load();
        break;
      case "applyFixes": {
        const ops = message.ops as string[];
        this.host.post({ type: "loading", message: `Applying ${ops.join(", ")} into a new version…` });
        const ref = await this.ensureVersion();
        const fixed: Json = await api.fix(ref, ops);
        this.retarget({ path: this.source.path, version: str(fixed.ref) });
        void vscode.window.showInformationMessage(
          `VibeFlow: created ${str(fixed.ref)} (${str(fixed.rows)} rows, score ${str(fixed.score)}). Your file was not changed.`,
        );
        await this.load();
        break;
      }
      case "split": {
        const ref = await this.ensureVersion();
        const result = await api.split(ref, message.test as number, message.seed as number);
        const train = result.train as Json;
        const test = result.test as Json;
        ReportPanel.onVersionsChanged?.();
        void vscode.window.showInformationMessage(
          `VibeFlow: split ${ref} into ${str(train.ref)} (${str(train.rows)} rows) and ${str(test.ref)} (${str(test.rows)} rows).`,
        );
        break;
      }
      case "loadRows":
        await this.rows(
          message.offset as number,
          message.limit as number,
          (message.minScore as number | null) ?? null,
          (message.maxScore as number | null) ?? null,
        );
        break;
    }
  }

  dispose(): void {
    ReportPanel.open.delete(this.key);
    this.host.dispose();
  }
}

/** Restores report panels after a window reload. */
export function reportSerializer(context: vscode.ExtensionContext, backend: Backend): vscode.WebviewPanelSerializer {
  return {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const source = (state as { source?: ReportSource } | undefined)?.source;
      if (!source || (!source.path && !source.version)) {
        panel.dispose();
        return;
      }
      new ReportPanel(panel, context, backend, source);
      return Promise.resolve();
    },
  };
}
