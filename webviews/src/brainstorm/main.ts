/**
 * Brainstorm chat webview (sidebar): messages, suggested replies, the recommendation card (Start /
 * Adjust / Learn more), a comparison table of 2–3 models and "Let AI pick". Every number shown comes from
 * the backend's estimator through the agent's reply.
 */

import { str } from "../../../extension/src/text";
import type { ChatFromWebview, ChatToWebview, ChatTurn } from "../../../extension/src/protocol";
import { errorBanner, h, replace, root } from "../common/dom";
import { getState, onMessage, ready, send, setState } from "../common/vscode";
import { comparisonTable, recSummary } from "./model";
import "./brainstorm.css";

type J = Record<string, unknown>;

interface State {
  draft: string;
}

const state: State = { draft: "", ...getState<State>() };
let turns: ChatTurn[] = [];
let last: J | null = null;
let thinking = false;
let historyLoaded = false;
let showReasons = false;
let adjusting = false;

const ADJUSTMENTS = ["Make it cheaper", "Make it faster", "Prioritise accuracy", "Use a smaller model", "I have a GPU: an A100"];

function post(message: ChatFromWebview): void {
  send(message);
}

const app = root();
const history = h("div", { class: "chat", testid: "chat-history", "aria-live": "polite" });
const cardBox = h("div", { testid: "chat-cards" });
const errors = h("div", {});
const input = h("textarea", { testid: "chat-input", placeholder: "What should your model do? e.g. a customer-support bot, 1K examples, accuracy matters", rows: 3 });
input.value = state.draft;
const sendButton = h("button", { testid: "chat-send" }, "Send");
const pickButton = h("button", { class: "secondary", testid: "chat-pick", title: "Let the agent choose with what it knows so far" }, "Let AI pick");
const status = h("div", { class: "thinking", testid: "chat-thinking" });

function submit(text: string): void {
  const clean = text.trim();
  if (!clean || thinking) return;
  turns.push({ role: "user", text: clean });
  input.value = "";
  state.draft = "";
  setState(state);
  replace(errors);
  post({ type: "send", text: clean });
  renderHistory();
}

sendButton.addEventListener("click", () => submit(input.value));
pickButton.addEventListener("click", () => {
  if (!thinking) post({ type: "pick" });
});
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    submit(input.value);
  }
});
input.addEventListener("input", () => {
  state.draft = input.value;
  setState(state);
});

replace(
  app,
  h("div", { class: "muted intro" }, "Describe your task, data and hardware; the agent recommends a model, method and settings with an honest cost and time estimate."),
  history,
  cardBox,
  errors,
  h("div", { class: "composer" }, status, input, h("div", { class: "row" }, sendButton, pickButton)),
);

function renderHistory(): void {
  replace(
    history,
    ...turns.map((t, i) => h("div", { class: `msg ${t.role}`, testid: `chat-msg-${t.role}`, "data-index": i }, t.text)),
  );
  status.textContent = thinking ? "Thinking…" : "";
  sendButton.disabled = thinking;
  pickButton.disabled = thinking;
  history.lastElementChild?.scrollIntoView({ block: "end" });
}

function recCard(rec: J, estimate: J | null): HTMLElement {
  const s = recSummary(rec, estimate);
  return h(
    "div",
    { class: "rec", testid: "rec-card" },
    h("h3", { testid: "rec-title" }, s.title),
    h(
      "div",
      { class: "nums" },
      h("span", { class: "muted" }, "cost"),
      h("span", { testid: "rec-cost" }, s.cost),
      h("span", { class: "muted" }, "time"),
      h("span", { testid: "rec-time" }, s.time),
      h("span", { class: "muted" }, "memory"),
      h("span", { testid: "rec-memory" }, s.memory),
      h("span", { class: "muted" }, "hardware"),
      h("span", { testid: "rec-hardware" }, s.hardware),
      h("span", { class: "muted" }, "settings"),
      h("span", { testid: "rec-settings" }, s.settings),
    ),
    s.warnings.length ? h("ul", { class: "sev-warning" }, ...s.warnings.map((w) => h("li", {}, w))) : null,
    showReasons ? h("div", { testid: "rec-reasons" }, h("strong", {}, "Why these settings"), h("ul", {}, ...s.reasons.map((r) => h("li", {}, r)))) : null,
    h(
      "div",
      { class: "row" },
      h("button", { testid: "rec-start", onClick: () => post({ type: "start" }) }, "Start"),
      h("button", { class: "secondary", testid: "rec-adjust", onClick: () => ((adjusting = !adjusting), renderCards()) }, "Adjust"),
      h("button", { class: "secondary", testid: "rec-learn-more", onClick: () => ((showReasons = !showReasons), renderCards()) }, showReasons ? "Less" : "Learn more"),
      h("button", { class: "secondary", testid: "rec-write", onClick: () => post({ type: "writeRecipe" }) }, "Write vibeflow.yaml"),
    ),
    adjusting ? h("div", { class: "suggestions", testid: "rec-adjustments" }, ...ADJUSTMENTS.map((a) => h("button", { class: "secondary", onClick: () => submit(a) }, a))) : null,
  );
}

function renderCards(): void {
  if (!last) {
    replace(cardBox);
    return;
  }
  const suggestions = (Array.isArray(last.suggested_replies) ? last.suggested_replies : []) as unknown[];
  const rec = (last.recommendation ?? null) as J | null;
  const estimate = (last.estimate ?? null) as J | null;
  const table = comparisonTable(last.comparison);
  replace(
    cardBox,
    last.mode ? h("div", { class: "muted mode", testid: "chat-mode" }, last.mode === "offline" ? "Offline mode: deterministic recommender (no Gemini)" : `Gemini (${str(last.mode)})`) : null,
    last.notice ? h("div", { class: "banner info", testid: "chat-notice" }, str(last.notice)) : null,
    rec ? recCard(rec, estimate) : null,
    table
      ? h(
          "div",
          { class: "compare", testid: "compare-table" },
          h("table", {}, h("tr", {}, ...table.columns.map((c) => h("th", {}, c))), ...table.rows.map((r) => h("tr", {}, ...r.map((cell) => h("td", {}, cell))))),
        )
      : null,
    suggestions.length
      ? h("div", { class: "suggestions", testid: "chat-suggestions" }, ...suggestions.map((s, i) => h("button", { class: "secondary", testid: `chat-suggestion-${i}`, onClick: () => submit(str(s)) }, str(s))))
      : null,
  );
}

onMessage<ChatToWebview>((message) => {
  switch (message.type) {
    case "history":
      // turns typed before the stored history arrived stay after it
      turns = historyLoaded ? message.turns : [...message.turns, ...turns];
      historyLoaded = true;
      last = message.reply;
      renderHistory();
      renderCards();
      break;
    case "thinking":
      thinking = message.on;
      renderHistory();
      break;
    case "reply":
      last = message.reply;
      if (typeof last.reply === "string" && last.reply) turns.push({ role: "assistant", text: last.reply });
      adjusting = false;
      renderHistory();
      renderCards();
      break;
    case "error":
      replace(errors, errorBanner(message.message, message.fix));
      break;
  }
});
renderHistory();
ready();
