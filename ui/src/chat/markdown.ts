/**
 * A small Markdown parser for chat replies: fenced code, headings, lists, quotes, rules, paragraphs, and
 * inline code, bold, italic, links and bare URLs. It yields a tree that is rendered as DOM text nodes,
 * never as HTML, so a reply containing `<script>` or `<img onerror>` shows as the characters it is.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "list"; ordered: boolean; start: number; items: Inline[][] }
  | { t: "quote"; c: Block[] }
  | { t: "hr" };

const FENCE = /^ {0,3}(```+|~~~+)\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?/;
const BULLET = /^ {0,3}[-*+]\s+/;
const ORDERED = /^ {0,3}(\d{1,9})[.)]\s+/;

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? "```";
      const body: string[] = [];
      i++;
      // An unclosed fence (a reply still streaming) runs to the end of the text.
      while (i < lines.length && !(lines[i] ?? "").trimStart().startsWith(marker)) body.push(lines[i++] ?? "");
      i++;
      blocks.push({ t: "code", lang: fence[2] ?? "", v: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ t: "h", level: heading[1]?.length ?? 1, c: parseInline(heading[2] ?? "") });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ t: "hr" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? "")) body.push((lines[i++] ?? "").replace(QUOTE, ""));
      blocks.push({ t: "quote", c: parseMarkdown(body.join("\n")) });
      continue;
    }
    const ordered = ORDERED.exec(line);
    if (ordered || BULLET.test(line)) {
      const marker = ordered ? ORDERED : BULLET;
      const items: string[] = [];
      while (i < lines.length) {
        const l = lines[i] ?? "";
        if (marker.test(l)) items.push(l.replace(marker, ""));
        else if (l.trim() !== "" && /^\s+/.test(l) && items.length > 0) items[items.length - 1] += `\n${l.trim()}`;
        else break;
        i++;
      }
      blocks.push({
        t: "list",
        ordered: Boolean(ordered),
        start: ordered ? Number(ordered[1]) : 1,
        items: items.map(parseInline),
      });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length) {
      const l = lines[i] ?? "";
      if (l.trim() === "" || FENCE.test(l) || HEADING.test(l) || QUOTE.test(l) || BULLET.test(l) || RULE.test(l)) break;
      para.push(l);
      i++;
    }
    blocks.push({ t: "p", c: parseInline(para.join("\n")) });
  }
  return blocks;
}

const INLINE =
  /(`+)([^`][\s\S]*?)\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![\w])_(?=\S)([^_]*?\S)_(?![\w])|\[([^\]\n]+)\]\(([^()\s]+)\)|(https?:\/\/[^\s<>"'`]*[^\s<>"'`.,;:!?)\]])|\n/g;

export function parseInline(src: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  INLINE.lastIndex = 0;
  for (let m = INLINE.exec(src); m; m = INLINE.exec(src)) {
    if (m.index > last) out.push({ t: "text", v: src.slice(last, m.index) });
    last = m.index + m[0].length;
    if (m[0] === "\n") out.push({ t: "br" });
    else if (m[1] !== undefined) out.push({ t: "code", v: (m[2] ?? "").trim() || (m[2] ?? "") });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ t: "strong", c: parseNested(m[3] ?? m[4] ?? "") });
    else if (m[5] !== undefined || m[6] !== undefined) out.push({ t: "em", c: parseNested(m[5] ?? m[6] ?? "") });
    else if (m[7] !== undefined) {
      const href = safeHref(m[8] ?? "");
      out.push(href ? { t: "link", href, c: parseNested(m[7]) } : { t: "text", v: m[0] });
    } else if (m[9] !== undefined) {
      const href = safeHref(m[9]);
      out.push(href ? { t: "link", href, c: [{ t: "text", v: m[9] }] } : { t: "text", v: m[9] });
    }
  }
  if (last < src.length) out.push({ t: "text", v: src.slice(last) });
  return out;
}

/** Inline parsing restarts its shared regex; nested spans are parsed on a copy of the position state. */
function parseNested(src: string): Inline[] {
  const saved = INLINE.lastIndex;
  const inner = parseInline(src);
  INLINE.lastIndex = saved;
  return inner;
}

/** Only web and mail links are made clickable: `javascript:` and `data:` URLs stay text. */
export function safeHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:" ? url.href : undefined;
}
