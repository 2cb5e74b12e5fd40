import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { followStream, SseParser, type SseEvent } from "../src/sse";

describe("SSE parser", () => {
  it("parses events split across arbitrary chunks", () => {
    const text = 'id: 1\nevent: metrics\ndata: {"step": 1}\n\n: keepalive\n\nid: 2\nevent: end\ndata: {}\n\n';
    for (const size of [1, 2, 5, 17, text.length]) {
      const parser = new SseParser();
      const events: SseEvent[] = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
      assert.deepEqual(events, [
        { event: "metrics", data: '{"step": 1}', id: "1" },
        { event: "end", data: "{}", id: "2" },
      ]);
      assert.equal(parser.lastEventId, "2");
    }
  });

  it("handles CRLF, CR, multi-line data, default event names and field without colon", () => {
    const parser = new SseParser();
    const events = parser.feed("data: a\r\ndata: b\r\n\r\ndata\rdata:c\r\r\n");
    assert.deepEqual(events, [
      { event: "message", data: "a\nb", id: null },
      { event: "message", data: "\nc", id: null },
    ]);
  });

  it("waits for the \\n of a \\r\\n split across chunks", () => {
    const parser = new SseParser();
    assert.deepEqual(parser.feed("data: x\r"), []);
    assert.deepEqual(parser.feed("\n\r\n"), [{ event: "message", data: "x", id: null }]);
  });
});

describe("followStream", () => {
  it("reconnects with Last-Event-ID and stops at the end event", async () => {
    const seen: (string | undefined)[] = [];
    let connections = 0;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      connections += 1;
      seen.push(req.headers["last-event-id"] as string | undefined);
      assert.equal(req.headers.authorization, "Bearer secret");
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      if (connections === 1) {
        res.write('id: 1\nevent: metrics\ndata: {"loss": 2}\n\n');
        res.write('id: 2\nevent: metrics\ndata: {"loss": 1}\n\n');
        setTimeout(() => res.destroy(), 20); // the connection drops
      } else {
        res.write('id: 3\nevent: end\ndata: {"status": "completed"}\n\n');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const events: SseEvent[] = [];
    const states: string[] = [];
    await new Promise<void>((resolve) => {
      followStream({
        url: `http://127.0.0.1:${port}/stream`,
        token: "secret",
        endEvent: "end",
        retryMs: 10,
        onEvent: (e) => events.push(e),
        onState: (s) => {
          states.push(s);
          if (s === "ended") resolve();
        },
      });
    });
    server.close();
    assert.deepEqual(events.map((e) => e.id), ["1", "2", "3"]);
    assert.deepEqual(seen, [undefined, "2"]);
    assert.deepEqual(states, ["live", "reconnecting", "live", "ended"]);
  });
});
