import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AgentRuntime } from "../agent/runtime.js";
import { PincerError } from "../errors.js";
import { messageText } from "../sessions/messages.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";

/**
 * sessions_list, sessions_history and sessions_send: an agent looking at and talking to its own other
 * sessions (never another agent's). What they need of the runtime is narrowed to this Pick.
 */
export type SessionsAccess = Pick<AgentRuntime, "resolveKey" | "store" | "send" | "runs">;

export interface SessionsToolEnv {
  agentId: string;
  sessionKey: string;
  access: SessionsAccess;
}

/** Longest sessions_send waits for the other session's reply. */
const MAX_SEND_WAIT_SECONDS = 300;

function ownKey(env: SessionsToolEnv, raw: string): string {
  const { key, agent } = env.access.resolveKey(raw, env.agentId);
  if (agent.id !== env.agentId) {
    throw new PincerError(
      "FORBIDDEN",
      `session ${raw} belongs to agent ${agent.id}; session tools only reach this agent's sessions`,
    );
  }
  return key;
}

/** Argument schemas live at module level so their JSON Schema is computed once (see toolSpec). */
const ListArgs = z.object({
  activeMinutes: z.number().int().min(1).optional().describe("Only sessions active in the last N minutes."),
  search: z.string().optional().describe("Only sessions whose key or label contains this text."),
  limit: z.number().int().min(1).max(200).optional(),
});

const HistoryArgs = z.object({
  sessionKey: z.string().min(1),
  limit: z.number().int().min(1).max(200).optional().describe("Messages to return (default 20)."),
});

const SendArgs = z.object({
  sessionKey: z.string().min(1),
  message: z.string().min(1).max(100_000),
  timeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_SEND_WAIT_SECONDS)
    .optional()
    .describe("Wait this long for the reply (0: do not wait). Default 60."),
});

export function sessionsListTool(env: SessionsToolEnv): AgentTool {
  return defineTool({
    name: "sessions_list",
    description: "List this agent's sessions (most recent first) with their keys, labels and last activity.",
    parameters: ListArgs,
    async execute(_id, args) {
      const store = await env.access.store(env.agentId);
      const list = store.list({ activeMinutes: args.activeMinutes, search: args.search });
      const rows = list.items.slice(0, args.limit ?? 50).map((item) => {
        const label = item.entry.label ?? item.entry.displayName;
        return `${item.key}${label ? ` (${label})` : ""}  kind=${item.kind}  updated=${new Date(item.entry.updatedAt).toISOString()}`;
      });
      return textResult(rows.length > 0 ? `${list.total} sessions:\n${rows.join("\n")}` : "No sessions.");
    },
  });
}

export function sessionsHistoryTool(env: SessionsToolEnv): AgentTool {
  return defineTool({
    name: "sessions_history",
    description: "Read the recent messages of one of this agent's sessions.",
    parameters: HistoryArgs,
    async execute(_id, args) {
      const key = ownKey(env, args.sessionKey);
      const store = await env.access.store(env.agentId);
      const history = await store.history(key, { limit: args.limit ?? 20 });
      if (history.messages.length === 0) return textResult(`${key} has no messages.`);
      const lines = history.messages.map(({ message }) => {
        const who = message.role === "toolResult" ? `tool ${message.toolName}` : message.role;
        return `[${who}] ${messageText(message)}`;
      });
      return textResult(`History of ${key} (oldest first):\n${lines.join("\n")}`);
    },
  });
}

export function sessionsSendTool(env: SessionsToolEnv): AgentTool {
  return defineTool({
    name: "sessions_send",
    description:
      "Send a message to another of this agent's sessions, which answers it as a normal turn. Optionally wait for that reply.",
    parameters: SendArgs,
    async execute(_id, args, ctx) {
      const key = ownKey(env, args.sessionKey);
      if (key === ownKey(env, env.sessionKey)) {
        throw new PincerError(
          "INVALID_REQUEST",
          "sessions_send cannot target the session it runs in; just answer here",
        );
      }
      const ack = env.access.send({
        sessionKey: key,
        message: args.message,
        idempotencyKey: randomUUID(),
        agentId: env.agentId,
      });
      const wait = (args.timeoutSeconds ?? 60) * 1000;
      const run = env.access.runs.get(ack.runId);
      if (wait === 0 || !run) return textResult(`Sent to ${key} (run ${ack.runId}).`);
      const outcome = await Promise.race([
        env.access.runs.wait(run, wait),
        new Promise<undefined>((r) => ctx.signal.addEventListener("abort", () => r(undefined), { once: true })),
      ]);
      if (!outcome) return textResult(`Sent to ${key} (run ${ack.runId}); no reply within ${wait / 1000} s.`);
      if (outcome.status !== "ok")
        return textResult(
          `Sent to ${key}; its run ended with ${outcome.status}${outcome.error ? `: ${outcome.error.message}` : ""}.`,
          true,
        );
      return textResult(`Reply from ${key}:\n${outcome.text}`);
    },
  });
}
