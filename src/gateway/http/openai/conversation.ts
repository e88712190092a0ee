import type { AgentMessage, AssistantMessage, ToolCallPart, ToolResultMessage } from "../../../sessions/messages.js";
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
  /** For tool results without a call id (legacy `role: "function"`): the function they answer. */
  toolName?: string;
  /** For tool results: where the call id (or name) sits in the request, for errors. */
  callParam?: string;
  /** For assistant entries: the tool calls the reply made (the client's own record of them). */
  toolCalls?: ClientCall[];
}

/** A tool call as an API client echoes it back: arguments as the JSON string it received. */
export interface ClientCall {
  id: string;
  name: string;
  arguments: string;
  /** Where the arguments sit in the request, for errors. */
  param: string;
}

/** What one API request hands the agent runtime. */
export interface AgentTurnInput {
  /** The new user text; empty when the turn only continues from tool results. */
  message: string;
  /** Recorded before the message: tool results, and in a one-off session the conversation and call they answer. */
  prelude?: AgentMessage[];
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
  const history = opts.stateful ? [] : turns.slice(0, start).filter((e) => e.text.trim() || e.toolCalls?.length);

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
    case "assistant": {
      const calls = (entry.toolCalls ?? []).map((c) => `Assistant called ${c.name} with ${c.arguments}`);
      return [...(entry.text.trim() ? [`Assistant: ${entry.text}`] : []), ...calls].join("\n");
    }
    case "tool":
      return `Tool result${entry.callId ? ` (${entry.callId})` : ""}: ${entry.text}`;
    default:
      return `User: ${entry.text}`;
  }
}

/**
 * The agent input for a request. When the new turn carries tool results they become real tool-result messages
 * answering the calls they name, so the model sees its call and the result: in a stateful session the calls
 * are the ones its transcript still awaits (`pending`); a one-off session is seeded with the conversation so
 * far, the assistant's calls from the request, then the results. A result naming no such call is refused.
 */
export function agentTurn(
  entries: ConversationEntry[],
  opts: { stateful: boolean; includeInstructions: boolean; param: string; pending: ToolCallPart[] },
): AgentTurnInput {
  let start = entries.length;
  while (start > 0 && entries[start - 1]!.role !== "assistant") start -= 1;
  const fresh = entries.slice(start).filter((e) => e.role !== "system");
  const results = fresh.filter((e) => e.role === "tool");
  if (results.length === 0) return { message: agentMessage(entries, opts) };

  const now = Date.now();
  const replyWithCalls = start > 0 ? entries[start - 1] : undefined;
  const calls = opts.stateful ? opts.pending : (replyWithCalls?.toolCalls ?? []).map(toolCallPart);
  const waiting = new Map(calls.map((c) => [c.id, c]));
  const prelude: AgentMessage[] = results.map((entry) => toolResult(entry, waiting, calls, now));
  const message = fresh
    .filter((e) => e.role === "user" && e.text.trim())
    .map((e) => e.text)
    .join("\n\n");
  if (opts.stateful) return { message, prelude };

  // A one-off session starts empty: it gets the conversation up to the call as one user message, then the call.
  const before = entries.slice(0, start - 1);
  const reply: AssistantMessage = {
    role: "assistant",
    content: [...(replyWithCalls?.text.trim() ? [{ type: "text" as const, text: replyWithCalls.text }] : []), ...calls],
    stopReason: "toolUse",
    timestamp: now,
  };
  const context = agentMessage(before, { ...opts, stateful: false, includeInstructions: true });
  return { message, prelude: [{ role: "user", content: context, timestamp: now }, reply, ...prelude] };
}

function toolCallPart(call: ClientCall): ToolCallPart {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments);
  } catch {
    throw invalidRequest(`${call.param} is not valid JSON: send the arguments string as it was received`, call.param);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw invalidRequest(`${call.param} must be a JSON object`, call.param);
  }
  return { type: "toolCall", id: call.id, name: call.name, arguments: args as Record<string, unknown> };
}

/** The result message for one tool entry; each awaited call takes one result. */
function toolResult(
  entry: ConversationEntry,
  waiting: Map<string, ToolCallPart>,
  calls: ToolCallPart[],
  now: number,
): ToolResultMessage {
  const call =
    entry.callId !== undefined
      ? waiting.get(entry.callId)
      : [...waiting.values()].find((c) => entry.toolName !== undefined && c.name === entry.toolName);
  const param = entry.callParam ?? "tool_call_id";
  if (!call) {
    const known = calls.map((c) => `"${c.id}" (${c.name})`).join(", ");
    const what = entry.callId !== undefined ? `call id "${entry.callId}"` : `function "${entry.toolName ?? ""}"`;
    throw invalidRequest(
      `${param}: no tool call awaiting a result has ${what}; ${known ? `the calls awaiting results are ${known}` : "no tool call is awaiting a result in this conversation"}`,
      param,
      "unknown_tool_call",
    );
  }
  waiting.delete(call.id);
  return {
    role: "toolResult",
    toolCallId: call.id,
    toolName: call.name,
    content: [{ type: "text", text: entry.text }],
    isError: false,
    timestamp: now,
  };
}
