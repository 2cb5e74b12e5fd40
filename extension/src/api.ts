/**
 * Typed client for the backend's local HTTP API (bearer token from the LSP handshake). Pure Node: no
 * `vscode` import, so it is unit-tested against a real local HTTP server.
 */

import { followStream, type SseEvent } from "./sse";

export type Json = Record<string, unknown>;

/** An API error with the backend's message and fix (VibeFlowError.to_dict on the server side). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fix: string,
    readonly kind: string,
    readonly details: Json,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Endpoint {
  url: string;
  token: string;
}

function formatDetail(detail: unknown): string {
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const item = d as { loc?: unknown[]; msg?: string };
        return `${(item.loc ?? []).join(".")}: ${item.msg ?? ""}`;
      })
      .join("; ");
  }
  return String(detail);
}

/** Turns any error response body into an ApiError (VibeFlowError JSON, FastAPI `detail`, or plain text). */
export function toApiError(status: number, body: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  if (parsed && typeof parsed === "object") {
    const obj = parsed as Json;
    if (typeof obj.message === "string") {
      return new ApiError(
        obj.message,
        status,
        typeof obj.fix === "string" ? obj.fix : "",
        typeof obj.error === "string" ? obj.error : "Error",
        (obj.details as Json | undefined) ?? {},
      );
    }
    if ("detail" in obj) {
      const fix =
        status === 404 ? "this backend does not have that feature yet: update VibeFlow" : "check the request";
      return new ApiError(formatDetail(obj.detail), status, fix, "HTTPError", {});
    }
  }
  return new ApiError(body.slice(0, 300) || `HTTP ${status}`, status, "", "HTTPError", {});
}

export class VibeFlowApi {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get url(): string {
    return this.endpoint.url;
  }

  async request<T = Json>(method: string, path: string, body?: unknown, timeoutMs = 600_000): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.endpoint.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ApiError(
        `cannot reach the VibeFlow backend at ${this.endpoint.url}: ${(error as Error).message}`,
        0,
        "run 'VibeFlow: Restart Server' and check 'VibeFlow: Show Logs'",
        "ConnectionError",
        {},
      );
    }
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Raw bytes of a GET (report downloads). */
  async download(path: string): Promise<Uint8Array> {
    const response = await this.fetchImpl(this.endpoint.url + path, {
      headers: { Authorization: `Bearer ${this.endpoint.token}` },
      signal: AbortSignal.timeout(600_000),
    });
    if (!response.ok) throw toApiError(response.status, await response.text());
    return new Uint8Array(await response.arrayBuffer());
  }

  get<T = Json>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T = Json>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  // ---- data
  reportFile(path: string, mapping: Json = {}): Promise<Json> {
    return this.post("/api/data/report", { path, ...mapping });
  }
  importFile(path: string, mapping: Json = {}): Promise<Json> {
    return this.post("/api/data/import", { path, ...mapping });
  }
  datasets(): Promise<{ dataset: string; versions: Json[] }[]> {
    return this.get("/api/datasets");
  }
  version(ref: string): Promise<Json> {
    return this.get(`/api/datasets/versions/${encodeURIComponent(ref)}`);
  }
  versionReport(ref: string): Promise<Json> {
    return this.get(`/api/datasets/versions/${encodeURIComponent(ref)}/report`);
  }
  rows(ref: string, query: { offset: number; limit: number; minScore: number | null; maxScore: number | null }): Promise<Json> {
    const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
    if (query.minScore !== null) params.set("min_score", String(query.minScore));
    if (query.maxScore !== null) params.set("max_score", String(query.maxScore));
    return this.get(`/api/datasets/versions/${encodeURIComponent(ref)}/rows?${params.toString()}`);
  }
  fix(ref: string, ops: string[]): Promise<Json> {
    return this.post(`/api/datasets/versions/${encodeURIComponent(ref)}/fix`, { ops });
  }
  split(ref: string, test: number, seed: number): Promise<Json> {
    return this.post(`/api/datasets/versions/${encodeURIComponent(ref)}/split`, { test, seed });
  }

  // ---- runs
  createRun(body: Json): Promise<Json> {
    return this.post("/api/runs", body);
  }
  runs(limit = 50): Promise<Json[]> {
    return this.get(`/api/runs?limit=${limit}`);
  }
  run(id: string): Promise<Json> {
    return this.get(`/api/runs/${encodeURIComponent(id)}`);
  }
  stopRun(id: string): Promise<Json> {
    return this.post(`/api/runs/${encodeURIComponent(id)}/stop`);
  }
  resumeRun(id: string): Promise<Json> {
    return this.post(`/api/runs/${encodeURIComponent(id)}/resume`);
  }
  retryPlan(id: string): Promise<Json> {
    return this.get(`/api/runs/${encodeURIComponent(id)}/retry-plan`);
  }
  retryRun(id: string, changes: Json | null): Promise<Json> {
    return this.post(`/api/runs/${encodeURIComponent(id)}/retry`, changes ? { changes } : {});
  }
  metrics(id: string, maxPoints = 1000): Promise<{ series: Record<string, { points: [number, number | null][] }> }> {
    return this.get(`/api/runs/${encodeURIComponent(id)}/metrics?max_points=${maxPoints}`);
  }
  events(id: string, types: string[], limit = 500): Promise<{ events: Json[] }> {
    return this.get(`/api/runs/${encodeURIComponent(id)}/events?limit=${limit}&type=${types.join(",")}`);
  }

  // ---- recommender
  estimate(body: Json): Promise<Json> {
    return this.post("/api/estimate", body);
  }

  /** Follows an SSE route of this API (see sse.ts); returns a function that stops following. */
  stream(
    path: string,
    onEvent: (event: SseEvent) => void,
    onState?: (state: "live" | "reconnecting" | "ended") => void,
    endEvent?: string,
  ): () => void {
    return followStream({
      url: this.endpoint.url + path,
      token: this.endpoint.token,
      onEvent,
      onState,
      endEvent,
      fetchImpl: this.fetchImpl,
    });
  }
}
