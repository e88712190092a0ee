/**
 * A small markdown reader for what models write in chat replies: fenced code, headings, quotes, lists, and the
 * inline spans bold, italic, strikethrough, code and links. Anything it does not recognize stays literal text,
 * so rendering never loses characters. Tables and HTML are left as text.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "bold"; c: Inline[] }
  | { t: "italic"; c: Inline[] }
  | { t: "strike"; c: Inline[] }
  | { t: "link"; c: Inline[]; url: string };

export type Block =
  | { t: "fence"; lang: string; code: string }
  | { t: "heading"; c: Inline[] }
  | { t: "quote"; c: Inline[] }
  | { t: "line"; c: Inline[] }
  | { t: "blank" };

const FENCE_RE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const LINK_RE = /^\[([^\]\n]+)\]\(((?:https?|mailto|tg):[^\s)]+)\)/;

export function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE_RE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
        if (close && close[1]![0] === marker[0] && close[1]!.length >= marker.length) break;
        body.push(lines[j]!);
      }
      blocks.push({ t: "fence", lang: fence[2] ?? "", code: body.join("\n") });
      i = j;
      continue;
    }
    if (line.trim() === "") blocks.push({ t: "blank" });
    else if (/^ {0,3}#{1,6}\s+/.test(line))
      blocks.push({ t: "heading", c: parseInline(line.replace(/^ {0,3}#{1,6}\s+/, "")) });
    else if (/^ {0,3}>\s?/.test(line)) blocks.push({ t: "quote", c: parseInline(line.replace(/^ {0,3}>\s?/, "")) });
    else blocks.push({ t: "line", c: parseInline(line.replace(/^(\s*)[-*+]\s+(?=\S)/, "$1• ")) });
  }
  return blocks;
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Finds the closing `marker` for an opener at `from`, or -1. Emphasis must hug its content. */
function findClose(s: string, marker: string, from: number): number {
  let at = s.indexOf(marker, from);
  while (at !== -1) {
    const inner = s.slice(from, at);
    const intraword = marker[0] === "_" && isWordChar(s[at + marker.length]);
    if (inner.length > 0 && !/^\s|\s$/.test(inner) && !intraword) return at;
    at = s.indexOf(marker, at + 1);
  }
  return -1;
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", v: text });
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === "\\" && i + 1 < s.length && /[\\`*_~[\]()#>!-]/.test(s[i + 1]!)) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const run = /^`+/.exec(s.slice(i))![0];
      const close = s.indexOf(run, i + run.length);
      if (close !== -1) {
        flush();
        out.push({ t: "code", v: s.slice(i + run.length, close) });
        i = close + run.length;
        continue;
      }
    }
    if (ch === "[") {
      const m = LINK_RE.exec(s.slice(i));
      if (m) {
        flush();
        out.push({ t: "link", c: parseInline(m[1]!), url: m[2]! });
        i += m[0].length;
        continue;
      }
    }
    const pair = s.slice(i, i + 2);
    if (pair === "**" || pair === "__" || pair === "~~") {
      const opensWord = pair !== "__" || !isWordChar(s[i - 1]);
      const close = opensWord ? findClose(s, pair, i + 2) : -1;
      if (close !== -1) {
        flush();
        const c = parseInline(s.slice(i + 2, close));
        out.push(pair === "~~" ? { t: "strike", c } : { t: "bold", c });
        i = close + 2;
        continue;
      }
    }
    if ((ch === "*" || ch === "_") && s[i + 1] !== ch) {
      const opensWord = ch === "*" || !isWordChar(s[i - 1]);
      const close = opensWord ? findClose(s, ch, i + 1) : -1;
      if (close !== -1 && s[close + 1] !== ch) {
        flush();
        out.push({ t: "italic", c: parseInline(s.slice(i + 1, close)) });
        i = close + 1;
        continue;
      }
    }
    text += ch;
    i += 1;
  }
  flush();
  return out;
}

/** The text of spans without their formatting. */
export function plainOf(spans: readonly Inline[]): string {
  return spans.map((s) => (s.t === "text" || s.t === "code" ? s.v : plainOf(s.c))).join("");
}
