import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ApiError, toApiError, VibeFlowApi } from "../src/api";

describe("HTTP client", () => {
  let url = "";
  const requests: { method?: string; url?: string; auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.setHeader("Content-Type", "application/json");
      if (req.url?.startsWith("/api/datasets/versions/missing")) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: "NotFoundError", message: "no dataset version 'missing'", fix: "list them with GET /api/datasets", details: {} }));
      } else if (req.url === "/api/estimate") {
        res.statusCode = 422;
        res.end(JSON.stringify({ detail: [{ loc: ["body", "recipe"], msg: "give exactly one of request, recipe or recipe_path" }] }));
      } else {
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("sends the bearer token, JSON bodies and encoded paths", async () => {
    const api = new VibeFlowApi({ url, token: "t0k" });
    await api.fix("support@1", ["dedup_exact"]);
    await api.rows("a b", { offset: 50, limit: 50, minScore: 0, maxScore: 60 });
    const [fix, rows] = requests.slice(-2);
    assert.equal(fix?.auth, "Bearer t0k");
    assert.equal(fix?.url, "/api/datasets/versions/support%401/fix");
    assert.deepEqual(JSON.parse(fix?.body ?? ""), { ops: ["dedup_exact"] });
    assert.equal(rows?.url, "/api/datasets/versions/a%20b/rows?offset=50&limit=50&min_score=0&max_score=60");
  });

  it("turns the backend's typed errors into ApiError with the fix", async () => {
    const api = new VibeFlowApi({ url, token: "t" });
    await assert.rejects(api.version("missing"), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 404);
      assert.equal(e.kind, "NotFoundError");
      assert.equal(e.fix, "list them with GET /api/datasets");
      return true;
    });
    await assert.rejects(api.estimate({}), /body\.recipe: give exactly one/);
  });

  it("says how to recover when the backend is unreachable", async () => {
    const api = new VibeFlowApi({ url: "http://127.0.0.1:9", token: "t" });
    await assert.rejects(api.runs(), (e: unknown) => e instanceof ApiError && e.kind === "ConnectionError" && /Restart Server/.test(e.fix));
  });

  it("parses plain-text and FastAPI 404 bodies", () => {
    assert.equal(toApiError(500, "Internal Server Error").message, "Internal Server Error");
    const e = toApiError(404, JSON.stringify({ detail: "Not Found" }));
    assert.equal(e.message, "Not Found");
    assert.match(e.fix, /update VibeFlow/);
  });
});
