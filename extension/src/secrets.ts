/** Gemini API key and Hugging Face token in VS Code SecretStorage; they reach only the backend's environment. */

import * as vscode from "vscode";
import type { Secrets } from "./settings";

const KEYS = { gemini: "vibeflow.geminiApiKey", huggingFace: "vibeflow.huggingFaceToken" } as const;

export async function getSecrets(context: vscode.ExtensionContext): Promise<Secrets> {
  return {
    geminiApiKey: (await context.secrets.get(KEYS.gemini)) ?? undefined,
    huggingFaceToken: (await context.secrets.get(KEYS.huggingFace)) ?? undefined,
  };
}

/** Asks for a secret (password box) and stores it; an empty answer deletes it. Returns true when it changed. */
export async function promptSecret(context: vscode.ExtensionContext, which: keyof typeof KEYS): Promise<boolean> {
  const label = which === "gemini" ? "Gemini API key" : "Hugging Face token";
  const value = await vscode.window.showInputBox({
    title: `VibeFlow: ${label}`,
    prompt: `Stored in VS Code's secret storage and passed only to the VibeFlow backend process. Leave empty to remove it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return false;
  if (value.trim()) await context.secrets.store(KEYS[which], value.trim());
  else await context.secrets.delete(KEYS[which]);
  void vscode.window.showInformationMessage(`VibeFlow: ${label} ${value.trim() ? "saved" : "removed"}; restarting the backend.`);
  return true;
}
