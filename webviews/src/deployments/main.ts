/**
 * Deployment webview: status and consistency verdict, endpoint with copy buttons, curl and Python snippets,
 * a test box, the usage dashboard (requests, tokens, cost, latency p50/p95/p99, errors), API keys
 * (create/rotate/revoke, secret shown once), versions with A/B split and rollback, start/stop, package.
 */

import type { DetailFromWebview, DetailToWebview } from "../../../extension/src/protocol";
import { str } from "../../../extension/src/text";
import { errorBanner, fmt, h, replace, root } from "../common/dom";
import { onMessage, ready, send } from "../common/vscode";
import "./deployments.css";

type J = Record<string, unknown>;

const app = root();
let data: J | null = null;
let secret: J | null = null;
let testResult: J | null = null;
let logLines: string[] | null = null;

function action(name: string, payload?: J): void {
  send<DetailFromWebview>({ type: "action", action: name, ...(payload ? { payload } : {}) });
}

function copyRow(label: string, text: string, testid: string): HTMLElement {
  return h("div", { class: "row" }, h("span", { class: "muted" }, label), h("code", { testid }, text), h("button", { class: "secondary", testid: `${testid}-copy`, onClick: () => send({ type: "copy", text }) }, "Copy"));
}

function usageView(usage: J | null): HTMLElement {
  const total = (usage?.total as J | undefined) ?? {};
  const latency = (total.latency_ms as J | undefined) ?? {};
  const card = (label: string, value: string, testid: string): HTMLElement =>
    h("div", { class: "card" }, h("div", { class: "value", testid }, value), h("div", { class: "label" }, label));
  return h(
    "div",
    { class: "cards", testid: "deploy-usage" },
    card("requests", str(total.requests ?? 0), "deploy-usage-requests"),
    card("error rate", `${(Number(total.error_rate ?? 0) * 100).toFixed(1)}%`, "deploy-usage-errors"),
    card("tokens in / out", `${str(total.input_tokens ?? 0)} / ${str(total.output_tokens ?? 0)}`, "deploy-usage-tokens"),
    card("cost", `$${Number(total.cost_usd ?? 0).toFixed(4)}`, "deploy-usage-cost"),
    card("latency p50 / p95 / p99", `${fmt(latency.p50, 0)} / ${fmt(latency.p95, 0)} / ${fmt(latency.p99, 0)} ms`, "deploy-usage-latency"),
  );
}

function keysView(keys: J[]): HTMLElement {
  return h(
    "div",
    { testid: "deploy-keys" },
    secret
      ? h("div", { class: "banner warning", testid: "deploy-key-secret-box" }, "New API key — copy it now, it is shown only once: ", h("span", { class: "secret", testid: "deploy-key-secret" }, str(secret.key)), h("button", { class: "secondary", onClick: () => send({ type: "copy", text: str(secret?.key) }) }, "Copy"))
      : null,
    h(
      "table",
      {},
      h("tr", {}, h("th", {}, "name"), h("th", {}, "key"), h("th", {}, "limit / min"), h("th", {}, "last used"), h("th", {}, "")),
      ...keys.map((k) =>
        h(
          "tr",
          { testid: `deploy-key-row-${str(k.id)}` },
          h("td", {}, str(k.name)),
          h("td", { class: "mono" }, str(k.prefix)),
          h("td", {}, str(k.rate_limit_per_minute ?? 100)),
          h("td", {}, k.active ? str(k.last_used_at ?? "never") : "revoked"),
          h("td", {}, k.active ? h("button", { class: "secondary", onClick: () => action("rotateKey", { id: k.id }) }, "Rotate") : null, k.active ? h("button", { class: "secondary", testid: `deploy-key-revoke-${str(k.id)}`, onClick: () => action("revokeKey", { id: k.id }) }, "Revoke") : null),
        ),
      ),
    ),
    h("button", { class: "secondary", testid: "deploy-key-create", onClick: () => action("createKey", { name: "default" }) }, "Create API key"),
  );
}

function versionsView(dep: J): HTMLElement {
  const versions = (dep.versions as J[] | undefined) ?? [];
  const choice = h("select", { testid: "deploy-split-version" }, ...versions.filter((v) => !v.current).map((v) => h("option", { value: str(v.number) }, `v${str(v.number)}`)));
  const weight = h("input", { type: "number", min: 0, max: 100, value: 10, testid: "deploy-split-weight" });
  return h(
    "div",
    { testid: "deploy-versions" },
    h(
      "table",
      {},
      h("tr", {}, h("th", {}, "version"), h("th", {}, "run"), h("th", {}, "traffic"), h("th", {}, "")),
      ...versions.map((v) => h("tr", {}, h("td", {}, `v${str(v.number)} (${str(v.served_name)})`), h("td", {}, str(v.run_id)), h("td", {}, `${Math.round(Number(v.weight ?? 0) * 100)}%`), h("td", {}, v.current ? "current" : ""))),
    ),
    versions.length > 1
      ? h("div", { class: "row" }, "A/B: send", weight, "% of traffic to", choice, h("button", { class: "secondary", testid: "deploy-split-apply", onClick: () => action("split", { version_b: Number(choice.value), weight_b: Number(weight.value) / 100 }) }, "Apply split"), h("button", { class: "secondary", testid: "deploy-rollback", onClick: () => action("rollback") }, "Roll back"))
      : h("div", { class: "muted" }, "Deploy another run under the same name to add a version for A/B tests and rollback."),
  );
}

function render(): void {
  if (!data) return;
  const dep = (data.deployment as J | undefined) ?? {};
  const status = str(dep.status);
  const snippets = (dep.snippets as J | undefined) ?? {};
  const consistency = (dep.consistency as J | null | undefined) ?? null;
  const prompt = h("textarea", { class: "test", testid: "deploy-test-input", placeholder: "Ask the deployed model something" });
  replace(
    app,
    h(
      "div",
      { class: "row" },
      h("h1", { testid: "deploy-name" }, str(dep.name)),
      h("span", { class: `badge status-${status}`, testid: "deploy-status" }, status),
      h("span", { class: "muted" }, `${str(dep.engine)} · ${str(dep.base_model)}`),
      h("span", { class: "spacer" }),
      status === "live" ? h("button", { class: "secondary", testid: "deploy-stop", onClick: () => action("stop") }, "Stop") : h("button", { testid: "deploy-start", onClick: () => action("start") }, "Start"),
      h("button", { class: "secondary", testid: "deploy-package", onClick: () => action("package") }, "Download package"),
      h("button", { class: "secondary", testid: "deploy-logs", onClick: () => action("logs") }, "Engine log"),
    ),
    dep.message ? h("div", { class: "banner info" }, str(dep.message)) : null,
    consistency ? h("div", { class: `banner ${consistency.ok === false ? "error" : "info"}`, testid: "deploy-consistency" }, `Train/serve consistency: ${consistency.ok === false ? "FAILED" : "ok"}`, ...(Array.isArray(consistency.problems) ? consistency.problems.map((p) => h("div", {}, str(p))) : [])) : null,
    h("h2", {}, "Endpoint (OpenAI-compatible)"),
    dep.endpoint ? copyRow("base URL", str(dep.endpoint), "deploy-endpoint") : h("div", { class: "muted" }, "The gateway is not running yet."),
    copyRow("model", str(dep.model ?? dep.name), "deploy-model"),
    snippets.curl ? h("div", {}, h("h3", {}, "curl"), h("pre", { class: "snippet", testid: "deploy-snippet-curl" }, str(snippets.curl)), h("button", { class: "secondary", onClick: () => send({ type: "copy", text: str(snippets.curl) }) }, "Copy")) : null,
    snippets.python ? h("div", {}, h("h3", {}, "Python (openai)"), h("pre", { class: "snippet", testid: "deploy-snippet-python" }, str(snippets.python)), h("button", { class: "secondary", onClick: () => send({ type: "copy", text: str(snippets.python) }) }, "Copy")) : null,
    h("h2", {}, "Try it"),
    prompt,
    h("button", { testid: "deploy-test-send", disabled: status !== "live", onClick: () => action("test", { prompt: prompt.value }) }, "Send"),
    testResult ? h("pre", { class: "snippet", testid: "deploy-test-output" }, `${str(testResult.text)}\n\n(${str(testResult.finish_reason)}, ${str(testResult.latency_ms)} ms)`) : null,
    h("h2", {}, "Usage (7 days)"),
    usageView((data.usage as J | null | undefined) ?? null),
    h("h2", {}, "API keys"),
    keysView((data.keys as J[] | undefined) ?? []),
    h("h2", {}, "Versions"),
    versionsView(dep),
    logLines ? h("div", {}, h("h2", {}, "Engine log"), h("pre", { class: "snippet", testid: "deploy-log" }, logLines.join("\n"))) : null,
  );
}

onMessage<DetailToWebview>((message) => {
  if (message.type === "data") {
    data = message.data;
    render();
  } else if (message.type === "result") {
    if (message.action === "createKey" || message.action === "rotateKey") secret = message.data;
    if (message.action === "test") testResult = message.data;
    if (message.action === "logs") logLines = (message.data.lines as unknown[] | undefined)?.map(str) ?? [];
    render();
  } else if (message.type === "error") {
    app.prepend(errorBanner(message.message, message.fix));
  }
});
send<DetailFromWebview>({ type: "refresh" });
ready();
