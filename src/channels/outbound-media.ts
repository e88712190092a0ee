import { realpath, stat } from "node:fs/promises";
import { basename, extname, isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { PincerError } from "../errors.js";
import type { OutboundMedia } from "./plugin.js";

/**
 * Media on the way out. A reply names an attachment with a standalone `MEDIA:<url or path>` line (OpenClaw's
 * legacy reply convention); every attachment, from a reply or a tool, is checked here before a platform sees
 * it: only https URLs (the platform or its clients fetch them, never the gateway) and absolute local files that
 * exist within the platform's size limit. A failure is a PincerError with a code, never a crash.
 */

/** A `MEDIA:` line: up to three spaces of indent (four is a code block), the reference optionally quoted. */
const MEDIA_LINE = /^ {0,3}MEDIA:\s*(?:"([^"]+)"|(\S+))\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits a reply into its text and the attachments its standalone MEDIA lines name (not inside code fences). */
export function extractMediaLines(markdown: string): { text: string; media: string[] } {
  if (!markdown.includes("MEDIA:")) return { text: markdown, media: [] };
  const kept: string[] = [];
  const media: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const open = FENCE.exec(line)?.[1];
    if (open && (fence === undefined || open.startsWith(fence))) {
      fence = fence === undefined ? open : undefined;
      kept.push(line);
      continue;
    }
    const m = fence === undefined ? MEDIA_LINE.exec(line) : null;
    if (m) media.push((m[1] ?? m[2])!);
    else kept.push(line);
  }
  return media.length === 0 ? { text: markdown, media } : { text: kept.join("\n").trim(), media };
}

const KIND_BY_EXT: Record<string, OutboundMedia["kind"]> = {
  ".png": "image",
  ".jpg": "image",
  ".jpeg": "image",
  ".gif": "image",
  ".webp": "image",
  ".mp3": "audio",
  ".ogg": "audio",
  ".oga": "audio",
  ".m4a": "audio",
  ".wav": "audio",
  ".flac": "audio",
  ".mp4": "video",
  ".mov": "video",
  ".webm": "video",
  ".mkv": "video",
};

/** An attachment from a bare reference: its kind and file name come from the path or URL. */
export function mediaFromRef(ref: string, caption?: string): OutboundMedia {
  let path = ref;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) path = new URL(ref).pathname;
  } catch {
    // An unparsable URL keeps its text as the name; checkOutboundMedia rejects it with the reason.
  }
  const fileName = basename(path) || "file";
  return {
    kind: KIND_BY_EXT[extname(fileName).toLowerCase()] ?? "document",
    source: ref,
    fileName,
    ...(caption ? { caption } : {}),
  };
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Checks an attachment for a platform; resolves with it ready to send (file:// turned into a path, the size
 * known) or rejects with why not: an unsupported scheme, a relative or missing path, a file over the limit.
 */
/**
 * Whether a file lies in the Pincer state dir outside its workspaces (config, credentials, transcripts, logs):
 * a reply, perhaps steered by a prompt injection, must not mail those to whoever is chatting.
 */
export function isInsideStateDir(realPath: string, stateDir: string): boolean {
  const rel = relative(stateDir, realPath);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return rel === "";
  const top = rel.split(sep)[0]!;
  return !(top === "workspace" || top.startsWith("workspace-"));
}

export async function checkOutboundMedia(
  media: OutboundMedia,
  limit: { maxBytes: number; platform: string; configKey: string; stateDir?: string | undefined },
): Promise<OutboundMedia> {
  const source = media.source.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(source)?.[1]?.toLowerCase();
  if (scheme === "https") {
    try {
      new URL(source);
    } catch {
      throw new PincerError("INVALID_REQUEST", `attachment URL "${source}" is not a valid URL`);
    }
    return { ...media, source };
  }
  let path = source;
  if (scheme === "file") {
    path = fileURLToPath(source);
  } else if (scheme !== undefined && !(scheme.length === 1 && process.platform === "win32")) {
    throw new PincerError(
      "INVALID_REQUEST",
      `attachment "${source.slice(0, 200)}" uses the unsupported scheme "${scheme}:": use an https URL or an absolute file path`,
    );
  }
  if (!isAbsolute(path)) {
    throw new PincerError("INVALID_REQUEST", `attachment path "${path}" must be absolute`);
  }
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new PincerError("INVALID_REQUEST", `attachment "${path}" is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof PincerError) throw err;
    const code = (err as { code?: string }).code;
    throw new PincerError(
      code === "ENOENT" ? "NOT_FOUND" : "UNAVAILABLE",
      code === "ENOENT" ? `attachment file not found: ${path}` : `cannot read attachment ${path} (${code ?? err})`,
    );
  }
  if (limit.stateDir) {
    // Resolved on both sides, so neither a symlink nor a symlinked state dir walks around the check.
    const [real, state] = await Promise.all([realpath(path), realpath(limit.stateDir).catch(() => limit.stateDir!)]);
    if (isInsideStateDir(real, state)) {
      throw new PincerError(
        "FORBIDDEN",
        `attachment ${path} is in Pincer's state folder (config, credentials, transcripts): only its workspace files can be sent`,
      );
    }
  }
  if (size > limit.maxBytes) {
    throw new PincerError(
      "PAYLOAD_TOO_LARGE",
      `attachment ${basename(path)} is ${mb(size)}; ${limit.platform} takes at most ${mb(limit.maxBytes)} (${limit.configKey})`,
      { details: { sizeBytes: size, maxBytes: limit.maxBytes } },
    );
  }
  return { ...media, source: path, fileName: media.fileName ?? basename(path), sizeBytes: size };
}
