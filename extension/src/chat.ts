/** Pure conversion of the agent's stored conversation into chat turns and the last reply card (unit-tested). */

import type { Json } from "./api";
import type { ChatTurn } from "./protocol";
import { str } from "./text";

/** Turns the stored conversation (any of the backend's shapes) into chat turns and the last card. */
export function conversationTurns(data: Json): { turns: ChatTurn[]; reply: Json | null } {
  const messages = (data.messages ?? data.turns ?? []) as Json[];
  const turns: ChatTurn[] = [];
  let reply: Json | null = null;
  for (const m of Array.isArray(messages) ? messages : []) {
    const role = m.role === "user" ? "user" : "assistant";
    const text = str(m.content ?? m.text ?? m.reply ?? "");
    if (text) turns.push({ role, text });
    if (role === "assistant") {
      const card = (m.card ?? {}) as Json;
      reply = { reply: text, ...card, mode: m.mode ?? card.mode, notice: m.notice ?? card.notice ?? null };
    }
  }
  return { turns, reply };
}
