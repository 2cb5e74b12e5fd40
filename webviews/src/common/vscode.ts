/** The webview side of the postMessage bridge: typed send, message subscription, persisted state. */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function send<T extends { type: string }>(message: T): void {
  api.postMessage(message);
}

export function onMessage<T extends { type: string }>(handler: (message: T) => void): void {
  window.addEventListener("message", (event: MessageEvent<T>) => {
    if (event.data && typeof event.data.type === "string") handler(event.data);
  });
}

export function getState<T>(): T | undefined {
  return (api.getState() as T | undefined) ?? undefined;
}

export function setState<T>(state: T): void {
  api.setState(state);
}

/** Announces that the page listens: the extension sends nothing before this. */
export function ready(): void {
  send({ type: "ready" });
}
