/**
 * Server-sent events: an incremental parser (pure, unit-tested) and a reader that follows a stream with
 * reconnects and Last-Event-ID, because the backend's run streams resume exactly from the last seen id.
 */

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Feeds arbitrary text chunks; returns the complete events seen so far (per the WHATWG SSE rules). */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;
  /** The last id seen on any event (what Last-Event-ID must carry on reconnect). */
  lastEventId: string | null = null;

  feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // a lone trailing \r may be the first half of \r\n: wait for more text
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const event: SseEvent = { event: this.event || "message", data: this.data.join("\n"), id: this.id };
      this.data = [];
      this.event = "";
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) {
      this.id = value;
      this.lastEventId = value;
    }
    return null;
  }
}

export interface StreamOptions {
  url: string;
  token: string;
  onEvent: (event: SseEvent) => void;
  onState?: (state: "live" | "reconnecting" | "ended") => void;
  /** Stop following after this event name (the run stream's `end`). */
  endEvent?: string;
  /** Delay before a reconnect (grows to 10 s). */
  retryMs?: number;
  fetchImpl?: typeof fetch;
}

/** Follows an SSE URL until `endEvent` or until the returned function is called. */
export function followStream(options: StreamOptions): () => void {
  const controller = new AbortController();
  const fetchImpl = options.fetchImpl ?? fetch;
  let lastId: string | null = null;
  let delay = options.retryMs ?? 500;

  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      const parser = new SseParser();
      let ended = false;
      try {
        const headers: Record<string, string> = {
          Authorization: `Bearer ${options.token}`,
          Accept: "text/event-stream",
        };
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const response = await fetchImpl(options.url, { headers, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        options.onState?.("live");
        delay = options.retryMs ?? 500;
        const decoder = new TextDecoder();
        const reader = response.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
            if (event.id !== null) lastId = event.id;
            options.onEvent(event);
            if (options.endEvent && event.event === options.endEvent) ended = true;
          }
          if (ended) break;
        }
        if (ended) {
          controller.abort();
          options.onState?.("ended");
          return;
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      options.onState?.("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => controller.abort();
}
