import { PincerError } from "../errors.js";

/**
 * Paths into a config document: `gateway.port`, `agents.list[0].id`, `models.providers["my.host"].apiKey`.
 * One parser and one formatter so CLI arguments, validation issues, redaction and reload plans agree.
 */
export type PathSegment = string | number;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function badPath(input: string, why: string): PincerError {
  return new PincerError("INVALID_REQUEST", `bad config path "${input}": ${why}`);
}

/** Parses a dot path; `[n]` is an array index, `["key"]` a key that contains dots or other symbols. */
export function parsePath(input: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  let expectSegment = true;
  while (i < input.length) {
    const ch = input[i];
    if (ch === "[") {
      const close = input.indexOf("]", i);
      if (close < 0) throw badPath(input, `unclosed "[" at ${i + 1}`);
      const inner = input.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) segments.push(JSON.parse(inner) as string);
      else throw badPath(input, `"[${inner}]" is neither an index nor a quoted key`);
      i = close + 1;
      expectSegment = false;
    } else if (ch === ".") {
      if (expectSegment) throw badPath(input, `empty segment at ${i + 1}`);
      i += 1;
      expectSegment = true;
    } else {
      if (!expectSegment) throw badPath(input, `expected "." or "[" at ${i + 1}`);
      let end = i;
      while (end < input.length && input[end] !== "." && input[end] !== "[") end += 1;
      segments.push(input.slice(i, end));
      i = end;
      expectSegment = false;
    }
  }
  if (segments.length === 0) throw badPath(input, "empty path");
  if (expectSegment) throw badPath(input, "ends with a dot");
  return segments;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function getAtPath(root: unknown, segments: readonly PathSegment[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of segments) {
    if (
      typeof seg === "number" ? Array.isArray(cur) && seg < cur.length : isPlainObject(cur) && Object.hasOwn(cur, seg)
    ) {
      cur = (cur as Record<string | number, unknown>)[seg];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: cur };
}

/** Sets a value, creating objects (or arrays, for numeric segments) on the way. Mutates `root`. */
export function setAtPath(root: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
  let cur: unknown = root;
  for (let i = 0; i < segments.length; i += 1) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const container = cur as Record<string | number, unknown>;
    if (typeof seg === "number" && !Array.isArray(cur)) {
      throw badPath(formatPath(segments), `${formatPath(segments.slice(0, i)) || "the root"} is not an array`);
    }
    if (typeof seg === "number" && seg > (cur as unknown[]).length) {
      throw badPath(formatPath(segments), `index ${seg} is past the end of ${formatPath(segments.slice(0, i))}`);
    }
    if (last) {
      container[seg] = value;
      return;
    }
    const next = container[seg];
    if (next === undefined || next === null) {
      container[seg] = typeof segments[i + 1] === "number" ? [] : {};
    } else if (typeof next !== "object") {
      throw badPath(
        formatPath(segments),
        `${formatPath(segments.slice(0, i + 1))} holds a ${typeof next}, not an object`,
      );
    }
    cur = container[seg];
  }
}

/** Removes the value at a path. Returns false when there was nothing there. Mutates `root`. */
export function unsetAtPath(root: unknown, segments: readonly PathSegment[]): boolean {
  const parent = getAtPath(root, segments.slice(0, -1));
  const key = segments[segments.length - 1];
  if (!parent.found || key === undefined) return false;
  if (typeof key === "number") {
    if (!Array.isArray(parent.value) || key >= parent.value.length) return false;
    parent.value.splice(key, 1);
    return true;
  }
  if (!isPlainObject(parent.value) || !Object.hasOwn(parent.value, key)) return false;
  delete parent.value[key];
  return true;
}
