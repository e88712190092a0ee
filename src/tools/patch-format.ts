import { PincerError } from "../errors.js";

/**
 * The apply_patch format (the one OpenAI's coding models emit):
 *
 *   *** Begin Patch
 *   *** Add File: path        then "+line" lines
 *   *** Delete File: path
 *   *** Update File: path     optionally "*** Move to: new/path", then hunks:
 *   @@ [a line to find first]
 *    context / -removed / +added lines
 *   *** End of File           (optional: the hunk ends at the end of the file)
 *   *** End Patch
 *
 * Parsing and applying are pure (strings in, strings out) so the tool can check every file before writing any.
 */

export type PatchOp =
  | { kind: "add"; path: string; content: string }
  | { kind: "delete"; path: string }
  | { kind: "update"; path: string; moveTo?: string; hunks: Hunk[] };

export interface Hunk {
  /** Text after "@@": a line to locate before matching the hunk (e.g. a function header). */
  anchor?: string;
  oldLines: string[];
  newLines: string[];
  atEnd: boolean;
}

const BEGIN = "*** Begin Patch";
const END = "*** End Patch";

function bad(message: string): PincerError {
  return new PincerError("INVALID_REQUEST", `invalid patch: ${message}`);
}

export function parsePatch(text: string): PatchOp[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  let i = lines.findIndex((l) => l.trim() === BEGIN);
  if (i < 0) throw bad(`it must start with "${BEGIN}"`);
  if (lines[lines.length - 1]?.trim() !== END) throw bad(`it must end with "${END}"`);
  const last = lines.length - 1;
  i += 1;
  const ops: PatchOp[] = [];
  while (i < last) {
    const line = lines[i] as string;
    const header = /^\*\*\* (Add|Delete|Update) File: (.+)$/.exec(line);
    if (!header) throw bad(`line ${i + 1}: expected "*** Add/Delete/Update File: <path>", got "${line.slice(0, 80)}"`);
    const [, kind, rawPath] = header;
    const path = (rawPath as string).trim();
    i += 1;
    if (kind === "Delete") {
      ops.push({ kind: "delete", path });
      continue;
    }
    if (kind === "Add") {
      const body: string[] = [];
      while (i < last && !(lines[i] as string).startsWith("*** ")) {
        const l = lines[i] as string;
        if (!l.startsWith("+")) throw bad(`line ${i + 1}: lines of an added file start with "+"`);
        body.push(l.slice(1));
        i += 1;
      }
      ops.push({ kind: "add", path, content: body.length > 0 ? `${body.join("\n")}\n` : "" });
      continue;
    }
    let moveTo: string | undefined;
    const move = /^\*\*\* Move to: (.+)$/.exec(lines[i] ?? "");
    if (move) {
      moveTo = (move[1] as string).trim();
      i += 1;
    }
    const hunks: Hunk[] = [];
    let current: Hunk | undefined;
    while (i < last) {
      const l = lines[i] as string;
      if (l.startsWith("*** End of File")) {
        if (!current) throw bad(`line ${i + 1}: "*** End of File" outside a hunk`);
        current.atEnd = true;
        i += 1;
        continue;
      }
      if (l.startsWith("*** ")) break;
      if (l.startsWith("@@")) {
        const anchor = l.slice(2).trim();
        current = { ...(anchor ? { anchor } : {}), oldLines: [], newLines: [], atEnd: false };
        hunks.push(current);
        i += 1;
        continue;
      }
      if (!current) {
        current = { oldLines: [], newLines: [], atEnd: false };
        hunks.push(current);
      }
      const tag = l[0];
      const body = l.slice(1);
      if (tag === " " || l === "") {
        current.oldLines.push(body);
        current.newLines.push(body);
      } else if (tag === "-") current.oldLines.push(body);
      else if (tag === "+") current.newLines.push(body);
      else throw bad(`line ${i + 1}: hunk lines start with " ", "-" or "+", got "${l.slice(0, 80)}"`);
      i += 1;
    }
    if (hunks.length === 0 && !moveTo) throw bad(`"Update File: ${path}" has no changes`);
    ops.push({ kind: "update", path, ...(moveTo ? { moveTo } : {}), hunks });
  }
  if (ops.length === 0) throw bad("it contains no file operations");
  return ops;
}

/** Applies an update's hunks to a file's text, in order; throws naming the hunk that does not match. */
export function applyHunks(original: string, hunks: Hunk[], path: string): string {
  const hadFinalNewline = original.endsWith("\n");
  const lines = original.split("\n");
  if (hadFinalNewline) lines.pop();
  let cursor = 0;
  hunks.forEach((hunk, n) => {
    if (hunk.anchor) {
      const at = findLine(lines, hunk.anchor, cursor);
      if (at < 0) throw bad(`${path}: hunk ${n + 1}: the line "@@ ${hunk.anchor}" was not found`);
      cursor = at + 1;
    }
    let at: number;
    if (hunk.oldLines.length === 0) at = hunk.atEnd ? lines.length : cursor;
    else {
      at = findBlock(lines, hunk.oldLines, cursor, hunk.atEnd);
      if (at < 0) {
        throw bad(
          `${path}: hunk ${n + 1} does not match the file (looked for:\n${hunk.oldLines.slice(0, 5).join("\n")}${hunk.oldLines.length > 5 ? "\n…" : ""}); read the file again and resend the patch`,
        );
      }
    }
    lines.splice(at, hunk.oldLines.length, ...hunk.newLines);
    cursor = at + hunk.newLines.length;
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}${hadFinalNewline || original === "" ? "\n" : ""}`;
}

function findLine(lines: string[], wanted: string, from: number): number {
  for (let i = from; i < lines.length; i++) if ((lines[i] as string).trim() === wanted.trim()) return i;
  return -1;
}

/** Exact match first, then ignoring trailing whitespace, then ignoring surrounding whitespace. */
function findBlock(lines: string[], block: string[], from: number, atEnd: boolean): number {
  const norms: ((s: string) => string)[] = [(s) => s, (s) => s.trimEnd(), (s) => s.trim()];
  for (const norm of norms) {
    const start = atEnd ? Math.max(from, lines.length - block.length) : from;
    for (let i = start; i + block.length <= lines.length; i++) {
      if (block.every((b, k) => norm(lines[i + k] as string) === norm(b))) return i;
    }
  }
  return -1;
}
