import type { AgentMessage, Usage } from "../sessions/messages.js";
import { messageText } from "../sessions/messages.js";
import { estimateTokens } from "./prompt.js";

/** Older tool results beyond this many user turns back are shown to the model as a short stub. */
export const TOOL_RESULT_KEEP_TURNS = 3;
/** Tool results longer than this are stubbed once they are old (see above). */
const TOOL_RESULT_PRUNE_CHARS = 2_000;

export function estimateMessagesTokens(messages: AgentMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    if (typeof m.content === "string") chars += m.content.length;
    else
      for (const part of m.content) {
        if (part.type === "text") chars += part.text.length;
        else if (part.type === "thinking") chars += part.thinking.length;
        else if (part.type === "toolCall") chars += JSON.stringify(part.arguments).length + part.name.length;
        else if (part.type === "image") chars += 4_000; // images are billed roughly as ~1k tokens
      }
  }
  return Math.ceil(chars / 4);
}

/**
 * Index of the first message kept verbatim: the start of the `keepTurns`-th most recent user turn. Cutting at a
 * user message never separates a tool call from its result. Returns 0 when there is nothing worth compacting.
 */
export function compactionCut(messages: AgentMessage[], keepTurns: number): number {
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") {
      seen += 1;
      if (seen === keepTurns) return i;
    }
  }
  return 0;
}

/** Renders the messages to be summarized as a plain transcript the summarizer reads. */
export function renderForSummary(messages: AgentMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === "toolResult") {
      const text = messageText(m);
      lines.push(
        `[tool ${m.toolName}${m.isError ? " error" : ""}]: ${text.length > 1_500 ? `${text.slice(0, 1_500)}…` : text}`,
      );
      continue;
    }
    const text = messageText(m);
    if (m.role === "assistant") {
      for (const part of m.content)
        if (part.type === "toolCall")
          lines.push(`[assistant called ${part.name}(${JSON.stringify(part.arguments).slice(0, 500)})]`);
    }
    if (text) lines.push(`${m.role}: ${text}`);
  }
  return lines.join("\n");
}

export const SUMMARY_SYSTEM_PROMPT =
  "You compress a conversation so it can continue with less context. Write a faithful summary for your own later use: " +
  "the user's goals and preferences, decisions made, facts, names, numbers, file paths, commitments and open tasks, " +
  "and what tools did and found. Keep anything the user would be upset to have to repeat. No preamble.";

export function summaryRequest(previousSummary: string | undefined, transcript: string, instructions?: string): string {
  return [
    previousSummary ? `Summary of the conversation before this part:\n${previousSummary}\n` : "",
    `Conversation to summarize:\n${transcript}`,
    instructions ? `\nExtra instructions from the user: ${instructions}` : "",
  ].join("\n");
}

/** The message that stands in for compacted history in the prompt. */
export function summaryMessage(summary: string, timestamp: number): AgentMessage {
  return {
    role: "user",
    content: `<conversation-summary>\nEarlier turns of this conversation were compacted. Summary:\n${summary}\n</conversation-summary>`,
    timestamp,
  };
}

/** True when the prompt is close enough to the window that the next turn may not fit. */
export function needsCompaction(promptTokens: number, contextWindow: number, threshold: number): boolean {
  return promptTokens >= Math.floor(contextWindow * threshold);
}

/** Prompt tokens as the provider last counted them, else estimated. */
export function promptTokens(system: string, messages: AgentMessage[], lastUsage?: Usage): number {
  const estimated = estimateTokens(system) + estimateMessagesTokens(messages);
  if (!lastUsage) return estimated;
  const counted = lastUsage.input + lastUsage.cacheRead + lastUsage.cacheWrite + lastUsage.output;
  return Math.max(estimated, counted);
}

/**
 * Old, large tool results are replaced in the prompt (never in the transcript) by a stub, so a long session
 * does not keep paying for output the model has already used.
 */
export function pruneOldToolResults(messages: AgentMessage[], keepTurns = TOOL_RESULT_KEEP_TURNS): AgentMessage[] {
  const cut = compactionCut(messages, keepTurns);
  if (cut === 0) return messages;
  return messages.map((m, i) => {
    if (i >= cut || m.role !== "toolResult") return m;
    const text = messageText(m);
    if (text.length <= TOOL_RESULT_PRUNE_CHARS) return m;
    return {
      ...m,
      content: [
        {
          type: "text" as const,
          text: `[older ${m.toolName} result of ${text.length} characters pruned from the prompt; run the tool again if needed]`,
        },
      ],
    };
  });
}
