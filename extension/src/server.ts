/**
 * Owns the backend process: starts `python -m vibeflow lsp` with vscode-languageclient over stdio, learns
 * the HTTP API's URL and token from the handshake, waits for `vibeflow/ready`, mirrors `vibeflow/status`
 * into the status item, and restarts (debounced) when settings or the interpreter change.
 */

import * as vscode from "vscode";
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { VibeFlowApi, type Endpoint } from "./api";
import { debounce } from "./debounce";
import { findInterpreter, installManagedBackend } from "./interpreter";
import { log, logChannel } from "./logger";
import { Lifecycle } from "./lifecycle";
import { InterpreterError } from "./python";
import { getSecrets } from "./secrets";
import { describeEnv, readSettings, RESTART_KEYS, serverEnv } from "./settings";
import { FILE_SELECTOR, type ServerState, type StatusView } from "./status";

interface Handshake {
  http?: { url: string; token: string; ready?: boolean } | null;
}

interface StatusParams {
  state: ServerState;
  message?: string;
  detail?: string;
}

export class Backend implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private api: VibeFlowApi | undefined;
  private readyWaiters: ((api: VibeFlowApi) => void)[] = [];
  private readonly changed = new vscode.EventEmitter<VibeFlowApi | undefined>();
  private readonly lifecycle = new Lifecycle(() => this.doStart(), () => this.stop());
  /** The interpreter running the backend (after a successful start). */
  python: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires with the API once the backend is ready, and with undefined when it stops. */
  readonly onDidChangeApi = this.changed.event;
  readonly scheduleRestart = debounce(() => void this.restart(), 1500);

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly status: StatusView,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RESTART_KEYS.some((key) => event.affectsConfiguration(`vibeflow.${key}`))) {
          log.info("settings changed: restarting the backend shortly");
          this.scheduleRestart();
        }
      }),
    );
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** The API if the backend is ready now. */
  get current(): VibeFlowApi | undefined {
    return this.api;
  }

  /** The API once the backend is ready (starts it if needed); rejects after `timeoutMs`. */
  async ready(timeoutMs = 60_000): Promise<VibeFlowApi> {
    if (this.api) return this.api;
    if (!this.client && !this.lifecycle.busy) void this.start();
    return new Promise<VibeFlowApi>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== done);
        reject(new Error("the VibeFlow backend is not ready: see 'VibeFlow: Show Logs', then 'VibeFlow: Restart Server'"));
      }, timeoutMs);
      const done = (api: VibeFlowApi): void => {
        clearTimeout(timer);
        resolve(api);
      };
      this.readyWaiters.push(done);
    });
  }

  start(): Promise<void> {
    return this.lifecycle.start();
  }

  private async doStart(): Promise<void> {
    const settings = readSettings((key) => vscode.workspace.getConfiguration("vibeflow").get(key));
    this.status.set("starting", "Finding the Python interpreter");
    let python: string;
    try {
      const resolved = await findInterpreter(this.context, settings.pythonPath);
      python = resolved.command;
      this.python = python;
      log.info(`interpreter: ${resolved.command} (${resolved.source}), vibeflow ${resolved.version}`);
    } catch (error) {
      void this.interpreterFailed(error); // the start ends now: a restart must not wait for the user's answer
      return;
    }
    const env = serverEnv(process.env, settings, await getSecrets(this.context));
    log.info(`starting: ${python} -m vibeflow lsp (${describeEnv(env)})`);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", "vibeflow", "lsp", "--log-level", settings.logLevel],
      options: { env, cwd },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: FILE_SELECTOR as LanguageClientOptions["documentSelector"],
      outputChannel: logChannel(),
      traceOutputChannel: logChannel(),
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/vibeflow.{yaml,yml}") },
    };
    const client = new LanguageClient("vibeflow", "VibeFlow", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.setApi(undefined);
        this.status.set("error", "The VibeFlow backend stopped", "Run 'VibeFlow: Restart Server'");
      }
    });
    try {
      await client.start();
    } catch (error) {
      this.status.set("error", "The VibeFlow backend did not start", String(error));
      log.error(`language server failed to start: ${String(error)}`);
      return;
    }
    const handshake = (client.initializeResult?.capabilities.experimental as { vibeflow?: Handshake } | undefined)
      ?.vibeflow;
    client.onNotification("vibeflow/status", (params: StatusParams) => {
      this.status.set(params.state, params.message ?? params.state, params.detail);
      if (params.state === "error") log.error(`backend: ${params.message ?? ""} ${params.detail ?? ""}`);
    });
    client.onNotification("vibeflow/ready", (params: Endpoint) => this.setApi(params));
    if (!handshake?.http) {
      this.status.set("error", "The backend's HTTP API is not available", "see 'VibeFlow: Show Logs'");
      return;
    }
    if (handshake.http.ready) this.setApi(handshake.http);
    else this.status.set("starting", "Starting the VibeFlow API");
  }

  private setApi(endpoint: Endpoint | undefined): void {
    this.api = endpoint ? new VibeFlowApi({ url: endpoint.url, token: endpoint.token }) : undefined;
    if (this.api) {
      log.info(`backend ready at ${endpoint?.url ?? ""}`);
      if (this.status.state === "starting") this.status.set("ready", "VibeFlow backend ready");
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const waiter of waiters) waiter(this.api);
    }
    this.changed.fire(this.api);
  }

  private async interpreterFailed(error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const fix = error instanceof InterpreterError ? error.fix : "";
    log.error(`${message}${fix ? `\n  fix: ${fix}` : ""}`);
    this.status.set("error", "No Python with the VibeFlow backend", fix);
    const actions = ["Open Settings", "Show Logs"];
    if (error instanceof InterpreterError && error.canInstall) actions.unshift("Install Backend");
    const choice = await vscode.window.showErrorMessage(`VibeFlow: ${message}`, { detail: fix }, ...actions);
    if (choice === "Install Backend") {
      await this.installBackend();
    } else if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "vibeflow.pythonPath");
    } else if (choice === "Show Logs") {
      log.show();
    }
  }

  async installBackend(): Promise<void> {
    const source = vscode.workspace.getConfiguration("vibeflow").get<string>("install.source") ?? "";
    try {
      const python = await installManagedBackend(this.context, source);
      void vscode.window.showInformationMessage(`VibeFlow backend installed in ${python}`);
      await this.restart();
    } catch (error) {
      const fix = (error as { fix?: string }).fix ?? "set 'vibeflow.install.source' to a VibeFlow wheel or checkout folder, or set 'vibeflow.pythonPath'";
      log.error(`install failed: ${String(error)}\n  fix: ${fix}`);
      void vscode.window
        .showErrorMessage(`VibeFlow: ${error instanceof Error ? error.message : String(error)}`, { detail: fix }, "Open Settings", "Show Logs")
        .then((c) => {
          if (c === "Show Logs") log.show();
          else if (c === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "vibeflow.install.source");
        });
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.setApi(undefined);
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        log.warn(`stopping the language server: ${String(error)}`);
      }
    }
    this.status.set("stopped", "VibeFlow backend stopped");
  }

  async restart(): Promise<void> {
    this.scheduleRestart.cancel();
    await this.lifecycle.restart();
  }

  dispose(): void {
    this.scheduleRestart.cancel();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    void this.stop();
  }
}
