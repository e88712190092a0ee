import { parseSessionKey, type SessionKind } from "./keys.js";
import { messageText } from "./messages.js";
import type { SessionEntry } from "./session-entry.js";
import type { MessageEntry } from "./transcript-format.js";

/** Read-side shaping of store data: listing filters and previews. Pure, so tested without files. */

const MINUTE_MS = 60_000;

export interface ListOptions {
  limit?: number | undefined;
  offset?: number | undefined;
  /** Only sessions updated within this many minutes. */
  activeMinutes?: number | undefined;
  /** Case-insensitive match on key, label, display name or session id. */
  search?: string | undefined;
  now?: number | undefined;
}

export interface SessionListItem {
  key: string;
  kind: SessionKind;
  entry: SessionEntry;
}

export interface SessionList {
  /** Matches before limit/offset. */
  total: number;
  items: SessionListItem[];
}

/** Most recently updated first; stable for equal times (by key). */
export function listSessions(entries: Iterable<[string, SessionEntry]>, opts: ListOptions, now: number): SessionList {
  const cutoff = opts.activeMinutes !== undefined ? now - opts.activeMinutes * MINUTE_MS : undefined;
  const needle = opts.search?.trim().toLowerCase();
  const matches: SessionListItem[] = [];
  for (const [key, entry] of entries) {
    if (cutoff !== undefined && entry.updatedAt < cutoff) continue;
    if (needle && !searchText(key, entry).includes(needle)) continue;
    matches.push({ key, kind: kindOf(key), entry: structuredClone(entry) });
  }
  matches.sort((a, b) => b.entry.updatedAt - a.entry.updatedAt || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const offset = Math.max(0, opts.offset ?? 0);
  const limit = opts.limit === undefined ? matches.length : Math.max(0, opts.limit);
  return { total: matches.length, items: matches.slice(offset, offset + limit) };
}

function searchText(key: string, entry: SessionEntry): string {
  return [key, entry.label, entry.displayName, entry.sessionId].filter(Boolean).join("\n").toLowerCase();
}

function kindOf(key: string): SessionKind {
  try {
    return parseSessionKey(key).kind;
  } catch {
    return "other";
  }
}

export interface PreviewItem {
  role: MessageEntry["message"]["role"];
  text: string;
}

export interface SessionPreview {
  key: string;
  status: "ok" | "empty" | "missing" | "error";
  items: PreviewItem[];
  error?: string;
}

/** Short text items for a session list: tool calls named, long text cut at `maxChars` with an ellipsis. */
export function previewItems(messages: MessageEntry[], maxChars: number): PreviewItem[] {
  const items: PreviewItem[] = [];
  for (const { message } of messages) {
    let text = messageText(message).trim();
    if (!text && message.role === "assistant") {
      const tools = message.content.filter((p) => p.type === "toolCall").map((p) => p.name);
      if (tools.length > 0) text = `[tool: ${tools.join(", ")}]`;
    }
    if (!text) continue;
    items.push({ role: message.role, text: truncate(text.replace(/\s+/g, " "), maxChars) });
  }
  return items;
}

function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  return `${chars.slice(0, Math.max(1, maxChars - 1)).join("")}…`;
}
