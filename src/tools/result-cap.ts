import type { ToolOutput } from "./tool.js";

/** Share of the kept characters taken from the start of an over-long result; the rest comes from its end. */
const HEAD_SHARE = 0.7;

/**
 * Cuts text longer than `maxChars` to its head and tail with a note in between saying how much was left out,
 * so the model knows the result is partial and can ask for a narrower one (a range, a grep, an offset).
 */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const head = Math.floor(maxChars * HEAD_SHARE);
  const tail = maxChars - head;
  const omitted = text.length - head - tail;
  const note = `\n\n[… ${omitted.toLocaleString("en")} of ${text.length.toLocaleString("en")} characters truncated; ask for a narrower range to see them …]\n\n`;
  return { text: text.slice(0, head) + note + (tail > 0 ? text.slice(text.length - tail) : ""), truncated: true };
}

/** Applies the cap across all text parts of a result (images pass through; they are bounded elsewhere). */
export function capToolOutput(output: ToolOutput, maxChars: number): ToolOutput {
  let budget = maxChars;
  let changed = false;
  const content = output.content.map((part) => {
    if (part.type !== "text") return part;
    const capped = capText(part.text, Math.max(0, budget));
    budget -= Math.min(part.text.length, capped.text.length);
    if (!capped.truncated) return part;
    changed = true;
    return { ...part, text: capped.text };
  });
  return changed ? { ...output, content } : output;
}
