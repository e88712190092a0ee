import { invalidRequest } from "./errors.js";

/**
 * The conversation an API request carries, reduced to what the agent takes: one message string. The agent
 * keeps its own transcript, so a session that persists across requests (stateful) gets only the new turn;
 * a one-off request gets the earlier turns inlined as context, since its fresh session has none.
 */
export interface ConversationEntry {
  role: "system" | "user" | "assistant" | "tool";
  text: string;
  /** For tool results: the call they answer. */
  callId?: string;
}

const HISTORY_HEADER = "[Conversation so far, for context]";
const CURRENT_HEADER = "[Current message - respond to this]";
const INSTRUCTIONS_HEADER = "[Instructions from the API client]";

/**
 * Builds the agent message. `includeInstructions` is false for a stateful session that already exists (its
 * transcript has the instructions from its first request; repeating them every turn only grows the context).
 */
export function agentMessage(
  entries: ConversationEntry[],
  opts: { stateful: boolean; includeInstructions: boolean; param: string },
): string {
  const instructions = entries.filter((e) => e.role === "system" && e.text.trim()).map((e) => e.text.trim());
  const turns = entries.filter((e) => e.role !== "system");
  let current = -1;
  for (let i = turns.length - 1; i >= 0; i -= 1) {
    if (turns[i]!.role === "user" || turns[i]!.role === "tool") {
      current = i;
      break;
    }
  }
  if (current < 0) throw invalidRequest(`${opts.param} has no user message to answer`, opts.param);
  // The new turn: every user/tool entry after the last assistant entry (a client may send several at once).
  let start = current;
  while (start > 0 && turns[start - 1]!.role !== "assistant") start -= 1;
  const fresh = turns.slice(start, current + 1).filter((e) => e.text.trim() || e.role === "tool");
  if (fresh.length === 0) throw invalidRequest(`${opts.param}: the last user message is empty`, opts.param);
  const history = opts.stateful ? [] : turns.slice(0, start).filter((e) => e.text.trim());

  const sections: string[] = [];
  if (instructions.length > 0 && opts.includeInstructions)
    sections.push(`${INSTRUCTIONS_HEADER}\n${instructions.join("\n\n")}`);
  const simple = history.length === 0 && fresh.length === 1 && fresh[0]!.role === "user";
  if (simple && sections.length === 0) return fresh[0]!.text;
  if (history.length > 0) sections.push(`${HISTORY_HEADER}\n${history.map(line).join("\n")}`);
  if (simple) sections.push(fresh[0]!.text);
  else sections.push(`${history.length > 0 ? `${CURRENT_HEADER}\n` : ""}${fresh.map(line).join("\n")}`);
  return sections.join("\n\n");
}

function line(entry: ConversationEntry): string {
  switch (entry.role) {
    case "assistant":
      return `Assistant: ${entry.text}`;
    case "tool":
      return `Tool result${entry.callId ? ` (${entry.callId})` : ""}: ${entry.text}`;
    default:
      return `User: ${entry.text}`;
  }
}
