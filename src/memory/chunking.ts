/**
 * Splits a Markdown file into overlapping chunks of about `tokens` tokens (≈ 4 characters each), on line
 * boundaries so every chunk maps back to a line range the model can open with memory_get. A line longer than
 * a whole chunk is cut into pieces that share its line number.
 */

export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

const CHARS_PER_TOKEN = 4;

export function chunkText(text: string, opts: { tokens: number; overlap: number }): Chunk[] {
  const maxChars = Math.max(1, opts.tokens * CHARS_PER_TOKEN);
  const overlapChars = Math.max(0, Math.min(opts.overlap * CHARS_PER_TOKEN, Math.floor(maxChars / 2)));
  const lines: { no: number; text: string }[] = [];
  const raw = text.split("\n");
  // A final newline ends the last line; it does not start another.
  if (raw.length > 1 && raw[raw.length - 1] === "") raw.pop();
  for (let i = 0; i < raw.length; i++) {
    const line = (raw[i] as string).replace(/\r$/, "");
    if (line.length <= maxChars) lines.push({ no: i + 1, text: line });
    else
      for (let at = 0; at < line.length; at += maxChars) lines.push({ no: i + 1, text: line.slice(at, at + maxChars) });
  }
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let size = 0;
    while (
      end < lines.length &&
      (end === start || size + (lines[end] as { text: string }).text.length + 1 <= maxChars)
    ) {
      size += (lines[end] as { text: string }).text.length + 1;
      end++;
    }
    const slice = lines.slice(start, end);
    const body = slice.map((l) => l.text).join("\n");
    if (body.trim()) {
      chunks.push({
        startLine: (slice[0] as { no: number }).no,
        endLine: (slice[slice.length - 1] as { no: number }).no,
        text: body,
      });
    }
    if (end >= lines.length) break;
    // Step back over whole lines worth `overlapChars`, but always move forward by at least one line.
    let back = end;
    let carried = 0;
    while (back - 1 > start && carried + (lines[back - 1] as { text: string }).text.length + 1 <= overlapChars) {
      carried += (lines[back - 1] as { text: string }).text.length + 1;
      back--;
    }
    start = back;
  }
  return chunks;
}
