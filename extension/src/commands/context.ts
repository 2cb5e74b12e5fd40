/** What every command module gets: the extension context, the backend and the views it may refresh. */

import type * as vscode from "vscode";
import type { DocProvider } from "../docView";
import type { BrainstormView } from "../panels/brainstormView";
import type { Backend } from "../server";
import type { DatasetsTree } from "../views/datasetsTree";
import type { DeploymentsTree } from "../views/deploymentsTree";
import type { RunsTree } from "../views/runsTree";

export interface Ctx {
  context: vscode.ExtensionContext;
  backend: Backend;
  datasets: DatasetsTree;
  deployments: DeploymentsTree;
  runs: RunsTree;
  brainstorm: BrainstormView;
  docs: DocProvider;
}

/** Pulls a field out of whatever a command was called with (CodeLens object, tree item, webview args). */
export function argField(arg: unknown, key: string): string | undefined {
  if (arg && typeof arg === "object" && key in arg) {
    const value = (arg as Record<string, unknown>)[key];
    return typeof value === "string" && value ? value : undefined;
  }
  return undefined;
}

/** A command module's commands: id and handler (registered through the error guard in extension.ts). */
export type CommandTable = [string, (arg?: unknown) => unknown][];
