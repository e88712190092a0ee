/**
 * Splits a markdown reply into messages no longer than a platform's limit without breaking code fences: a fence
 * cut by a chunk boundary is closed at the end of one chunk and reopened (same info string) at the start of the
 * next, so every chunk renders on its own. Breaks prefer paragraph boundaries, then line ends, then spaces.
 */

export type ChunkMode = "length" | "newline";

/** Below this a chunk cannot hold a fence marker pair and some text. */
export const MIN_CHUNK_LIMIT = 32;

interface Fence {
  /** The opening line as written, e.g. "```ts". */
  open: string;
  /** The closing marker, e.g. "```". */
  close: string;
}

interface Piece {
  text: string;
  /** How this piece joins the previous one: a line break, or nothing (a long line cut in two). */
  glue: "\n" | "";
}

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** The fence state after `line`, given the state before it. */
function nextFence(fence: Fence | null, line: string): Fence | null {
  const m = FENCE_RE.exec(line);
  if (!m) return fence;
  const marker = m[1]!;
  if (!fence) {
    // A backtick fence's info string may not contain backticks (CommonMark); "```a```" is inline code.
    if (marker.startsWith("`") && m[2]!.includes("`")) return null;
    return { open: line.trimStart(), close: marker };
  }
  const closes = marker[0] === fence.close[0] && marker.length >= fence.close.length && m[2]!.trim() === "";
  return closes ? null : fence;
}

/** Cuts one over-long line into pieces of at most `max` characters, at a space when there is one late enough. */
function splitLongLine(line: string, max: number, inFence: boolean): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = max;
    if (!inFence) {
      const space = rest.lastIndexOf(" ", max - 1);
      if (space > max / 2) cut = space + 1;
    }
    // Never split a UTF-16 surrogate pair.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

function joinPieces(pieces: readonly Piece[]): string {
  return pieces.map((p, i) => (i === 0 ? p.text : p.glue + p.text)).join("");
}

function packBlock(text: string, limit: number): string[] {
  const chunks: string[] = [];
  let cur: Piece[] = [];
  let curLen = 0;
  /** Fence open at the end of `cur`, and the fence each piece of `cur` starts in. */
  let fence: Fence | null = null;
  let startFence: (Fence | null)[] = [];
  /** Index in `cur` just after the last blank line outside a fence: the preferred break. */
  let paragraphBreak = -1;

  const reserve = (f: Fence | null) => (f ? f.close.length + 1 : 0);
  const emit = (pieces: Piece[], openAtEnd: Fence | null) => {
    let body = joinPieces(pieces).replace(/\n+$/, "");
    if (openAtEnd) body += `\n${openAtEnd.close}`;
    if (body.trim().length > 0) chunks.push(body);
  };
  const restart = (carry: Piece[], carryFences: (Fence | null)[], opened: Fence | null) => {
    cur = opened ? [{ text: opened.open, glue: "\n" }, ...carry] : [...carry];
    startFence = opened ? [null, ...carryFences] : [...carryFences];
    if (cur[0]) cur[0] = { ...cur[0], glue: "\n" };
    curLen = joinPieces(cur).length;
    paragraphBreak = -1;
  };

  const lines = text.split("\n");
  for (const line of lines) {
    const before = fence;
    const after = nextFence(fence, line);
    const budget = limit - reserve(before) - (before ? before.open.length + 1 : 0);
    const parts = splitLongLine(line, Math.max(1, budget), before !== null);
    parts.forEach((part, i) => {
      const piece: Piece = { text: part, glue: i === 0 ? "\n" : "" };
      const fenceAfterPiece = i === parts.length - 1 ? after : before;
      const added = (cur.length > 0 ? piece.glue.length : 0) + part.length;
      if (cur.length > 0 && curLen + added + reserve(fenceAfterPiece) > limit) {
        if (paragraphBreak > cur.length / 2 && paragraphBreak < cur.length) {
          // Break at the paragraph boundary and carry the tail (which starts outside any fence).
          const head = cur.slice(0, paragraphBreak);
          emit(head, null);
          restart(cur.slice(paragraphBreak), startFence.slice(paragraphBreak), null);
        } else {
          emit(cur, before);
          restart([], [], before);
        }
      }
      startFence.push(before);
      cur.push(piece);
      curLen += (cur.length > 1 ? piece.glue.length : 0) + part.length;
      if (i === parts.length - 1 && after === null && before === null && line.trim() === "") {
        paragraphBreak = cur.length;
      }
    });
    fence = after;
  }
  emit(cur, null);
  return chunks;
}

/** Splits on blank lines outside code fences. */
function splitParagraphs(text: string): string[] {
  const out: string[] = [];
  let fence: Fence | null = null;
  let cur: string[] = [];
  for (const line of text.split("\n")) {
    if (fence === null && line.trim() === "") {
      if (cur.length > 0) out.push(cur.join("\n"));
      cur = [];
    } else {
      cur.push(line);
    }
    fence = nextFence(fence, line);
  }
  if (cur.length > 0) out.push(cur.join("\n"));
  return out;
}

/** Splits `text` into chunks of at most `limit` characters. Empty or blank text yields no chunks. */
export function chunkMarkdown(text: string, limit: number, mode: ChunkMode = "length"): string[] {
  if (!Number.isInteger(limit) || limit < MIN_CHUNK_LIMIT) {
    throw new RangeError(`chunk limit must be an integer ≥ ${MIN_CHUNK_LIMIT}, got ${limit}`);
  }
  const normalized = text.replace(/\r\n?/g, "\n");
  if (normalized.trim() === "") return [];
  if (mode === "length" && normalized.length <= limit) return [normalized.replace(/\n+$/, "")];
  const blocks = mode === "newline" ? splitParagraphs(normalized) : [normalized];
  return blocks.flatMap((b) => packBlock(b, limit));
}

/** Splits plain text into lines of at most `limit` characters (IRC: one message per line). */
export function chunkLines(text: string, limit: number): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (line.trim() === "") continue;
    out.push(
      ...splitLongLine(line, limit, false)
        .map((p) => p.trimEnd())
        .filter((p) => p.length > 0),
    );
  }
  return out;
}
