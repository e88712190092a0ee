import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { messageText } from "../sessions/messages.js";
import { MessageEntrySchema } from "../sessions/transcript-format.js";
import type { MemoryFile } from "./sources.js";

/**
 * Session transcripts as a memory source (`memorySearch.sources: ["memory", "sessions"]`): each
 * `<sessionId>.jsonl` is rendered to plain text, one "role: text" block per user or assistant message, and
 * indexed under `sessions/<file>`. Tool results and internal entries stay out: they are noise for recall.
 */

export async function listTranscripts(sessionsDir: string): Promise<MemoryFile[]> {
  const names = await readdir(sessionsDir).catch(() => [] as string[]);
  const out: MemoryFile[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith(".jsonl")) continue;
    const abs = join(sessionsDir, name);
    const st = await lstat(abs).catch(() => undefined);
    if (st?.isFile())
      out.push({ path: `sessions/${name}`, abs, size: st.size, mtimeMs: Math.floor(st.mtimeMs), source: "sessions" });
  }
  return out;
}

/** The searchable text of a transcript. Lines that do not parse (a torn last line) are skipped. */
export function renderTranscript(jsonl: string): string {
  const blocks: string[] = [];
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const entry = MessageEntrySchema.safeParse(value);
    if (!entry.success) continue;
    const message = entry.data.message;
    if (message.role !== "user" && message.role !== "assistant") continue;
    const text = messageText(message).trim();
    if (text) blocks.push(`${message.role} (${entry.data.timestamp}): ${text}`);
  }
  return blocks.join("\n\n");
}

export async function readTranscriptText(abs: string): Promise<string> {
  return renderTranscript(await readFile(abs, "utf8"));
}
