import type { PincerConfig } from "../config/schema.js";

/**
 * The pre-compaction memory flush: before older turns are replaced by a summary, one silent turn lets the
 * agent write what matters to its memory files. Nothing of it reaches the user or the transcript; only its
 * file writes (and its cost) remain. This module holds the plan (prompts, tools, bounds); the agent runtime
 * runs it (src/agent/session-turn.ts).
 */

/** What the model answers when there is nothing to store (OpenClaw's token). */
export const NO_REPLY = "NO_REPLY";
/** Tools the flush may use: reading and writing files, and memory lookups to avoid duplicates. */
export const FLUSH_TOOL_NAMES: ReadonlySet<string> = new Set([
  "read",
  "write",
  "edit",
  "apply_patch",
  "memory_search",
  "memory_get",
]);
/** Enough for a search, a read and a couple of writes; a flush is housekeeping, not a task. */
export const FLUSH_MAX_STEPS = 8;

export interface MemoryFlushPlan {
  system: string;
  prompt: string;
}

/** YYYY-MM-DD in the user's time zone: daily notes are named after the user's day, not UTC's. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
  return parts;
}

export function memoryFlushPlan(config: PincerConfig, now: Date, timeZone: string): MemoryFlushPlan | undefined {
  const setting = config.agents.defaults.compaction.memoryFlush;
  const enabled = typeof setting === "boolean" ? setting : (setting.enabled ?? true);
  if (!enabled) return undefined;
  const custom = typeof setting === "object" ? setting : {};
  const day = localDate(now, timeZone);
  const system =
    custom.systemPrompt ??
    [
      "Pre-compaction memory flush. The older part of this conversation is about to be replaced by a short summary.",
      "This is a silent housekeeping turn: the user does not see it and nothing you say here is delivered.",
      "Write what should outlive the summary to the workspace memory files, using the file tools:",
      `- durable facts, decisions and preferences: MEMORY.md (one bullet each; update facts that changed);`,
      `- everything else worth keeping from today: append to memory/${day}.md (create it if missing).`,
      "Check memory_search first to avoid duplicates. Never store secrets (passwords, keys, card numbers).",
      `When done, or if there is nothing new to store, reply with exactly ${NO_REPLY}.`,
    ].join("\n");
  const prompt =
    custom.prompt ??
    `Store durable memories now (MEMORY.md, memory/${day}.md). If there is nothing to store, reply ${NO_REPLY}.`;
  return { system, prompt };
}
