import JSON5 from "json5";
import type { PathSegment } from "./config-path.js";

/**
 * Finds where each string value sits in JSON5 text, with its path, so values can be swapped in the text
 * itself (redacting secrets, restoring them) without re-serializing: the user's comments, key order and
 * formatting survive a round trip through the Control UI. Expects text that JSON5.parse has accepted.
 */
export interface StringValueSpan {
  path: PathSegment[];
  /** Offsets of the literal, quotes included: text.slice(start, end). */
  start: number;
  end: number;
  value: string;
}

export function locateStringValues(text: string): StringValueSpan[] {
  const spans: StringValueSpan[] = [];
  let i = 0;

  const fail = (what: string): never => {
    throw new Error(`JSON5 scan: ${what} at offset ${i}`);
  };

  const skipTrivia = (): void => {
    for (;;) {
      const ch = text[i];
      if (ch === undefined) return;
      if (/\s|\uFEFF/.test(ch)) i += 1;
      else if (ch === "/" && text[i + 1] === "/") {
        while (i < text.length && text[i] !== "\n" && text[i] !== "\r" && text[i] !== "\u2028" && text[i] !== "\u2029")
          i += 1;
      } else if (ch === "/" && text[i + 1] === "*") {
        const close = text.indexOf("*/", i + 2);
        if (close < 0) fail("unclosed comment");
        i = close + 2;
      } else return;
    }
  };

  /** Scans a quoted literal starting at i; returns its decoded value. */
  const scanString = (): { start: number; end: number; value: string } => {
    const start = i;
    const quote = text[i];
    i += 1;
    while (i < text.length && text[i] !== quote) i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unclosed string");
    i += 1;
    return { start, end: i, value: JSON5.parse(text.slice(start, i)) as string };
  };

  const scanKey = (): string => {
    if (text[i] === '"' || text[i] === "'") return scanString().value;
    const start = i;
    while (i < text.length && !/[\s:/]/.test(text[i]!)) i += 1;
    const ident = text.slice(start, i);
    if (!ident) fail("expected a key");
    // Identifiers may carry \uXXXX escapes; let JSON5 decode them.
    return ident.includes("\\") ? Object.keys(JSON5.parse(`{${ident}:0}`) as object)[0]! : ident;
  };

  const scanValue = (path: PathSegment[]): void => {
    skipTrivia();
    const ch = text[i];
    if (ch === "{") {
      i += 1;
      for (;;) {
        skipTrivia();
        if (text[i] === "}") break;
        const key = scanKey();
        skipTrivia();
        if (text[i] !== ":") fail('expected ":"');
        i += 1;
        scanValue([...path, key]);
        skipTrivia();
        if (text[i] === ",") i += 1;
        else if (text[i] !== "}") fail('expected "," or "}"');
      }
      i += 1;
    } else if (ch === "[") {
      i += 1;
      for (let index = 0; ; index += 1) {
        skipTrivia();
        if (text[i] === "]") break;
        scanValue([...path, index]);
        skipTrivia();
        if (text[i] === ",") i += 1;
        else if (text[i] !== "]") fail('expected "," or "]"');
      }
      i += 1;
    } else if (ch === '"' || ch === "'") {
      spans.push({ path, ...scanString() });
    } else {
      const start = i;
      while (i < text.length && !/[\s,\]}/]/.test(text[i]!)) i += 1;
      if (i === start) fail("expected a value");
    }
  };

  scanValue([]);
  return spans;
}

/** Replaces spans of `text` (non-overlapping) with new literal text. */
export function replaceSpans(
  text: string,
  edits: ReadonlyArray<{ start: number; end: number; literal: string }>,
): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.literal + out.slice(edit.end);
  }
  return out;
}
