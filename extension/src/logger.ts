/** The one "VibeFlow" log channel: the extension, the language client and the backend's stderr all write here. */

import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

export function logChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel("VibeFlow", { log: true });
  return channel;
}

export const log = {
  info: (message: string): void => logChannel().info(message),
  warn: (message: string): void => logChannel().warn(message),
  error: (message: string | Error): void => logChannel().error(message),
  debug: (message: string): void => logChannel().debug(message),
  show: (): void => logChannel().show(true),
};
