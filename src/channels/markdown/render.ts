import type { MarkdownTarget } from "../plugin.js";
import { type Block, type Inline, parseBlocks, plainOf } from "./parse.js";

/**
 * Renders a model's markdown for one platform. Telegram gets HTML (its most forgiving parse mode; only & < >
 * need escaping), Slack its mrkdwn, Discord its own markdown (close to the model's), IRC plain text.
 */
export function renderMarkdown(markdown: string, target: MarkdownTarget): string {
  switch (target) {
    case "telegram-html":
      return renderBlocks(parseBlocks(markdown), telegramHtml);
    case "slack-mrkdwn":
      return renderBlocks(parseBlocks(markdown), slackMrkdwn);
    case "discord":
      return renderDiscord(markdown);
    case "plain":
      return renderBlocks(parseBlocks(markdown), plainText);
  }
}

interface Dialect {
  inline(span: Inline): string;
  fence(lang: string, code: string): string;
  heading(text: string): string;
  quote(text: string): string;
}

function renderBlocks(blocks: readonly Block[], d: Dialect): string {
  const spans = (c: readonly Inline[]) => c.map((s) => d.inline(s)).join("");
  return blocks
    .map((b) => {
      switch (b.t) {
        case "fence":
          return d.fence(b.lang, b.code);
        case "heading":
          return d.heading(spans(b.c));
        case "quote":
          return d.quote(spans(b.c));
        case "line":
          return spans(b.c);
        default:
          return "";
      }
    })
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const telegramHtml: Dialect = {
  inline(s) {
    const inner = (c: readonly Inline[]) => c.map((x) => telegramHtml.inline(x)).join("");
    switch (s.t) {
      case "text":
        return escapeHtml(s.v);
      case "code":
        return `<code>${escapeHtml(s.v)}</code>`;
      case "bold":
        return `<b>${inner(s.c)}</b>`;
      case "italic":
        return `<i>${inner(s.c)}</i>`;
      case "strike":
        return `<s>${inner(s.c)}</s>`;
      case "link":
        return `<a href="${escapeHtml(s.url).replace(/"/g, "&quot;")}">${inner(s.c)}</a>`;
    }
  },
  fence: (lang, code) =>
    lang
      ? `<pre><code class="language-${escapeHtml(lang)}">${escapeHtml(code)}</code></pre>`
      : `<pre>${escapeHtml(code)}</pre>`,
  heading: (text) => `<b>${text}</b>`,
  quote: (text) => `<blockquote>${text}</blockquote>`,
};

/** Characters Telegram's MarkdownV2 reserves outside code: each must be backslash-escaped in text. */
const MDV2_RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

export function escapeMarkdownV2(text: string): string {
  return text.replace(MDV2_RESERVED, (c) => `\\${c}`);
}

/** Telegram MarkdownV2, for accounts configured to use it instead of HTML. */
export function renderTelegramMarkdownV2(markdown: string): string {
  const inline = (s: Inline): string => {
    const inner = (c: readonly Inline[]) => c.map(inline).join("");
    switch (s.t) {
      case "text":
        return escapeMarkdownV2(s.v);
      case "code":
        return `\`${s.v.replace(/[`\\]/g, (c) => `\\${c}`)}\``;
      case "bold":
        return `*${inner(s.c)}*`;
      case "italic":
        return `_${inner(s.c)}_`;
      case "strike":
        return `~${inner(s.c)}~`;
      case "link":
        return `[${inner(s.c)}](${s.url.replace(/[)\\]/g, (c) => `\\${c}`)})`;
    }
  };
  return renderBlocks(parseBlocks(markdown), {
    inline,
    fence: (lang, code) => `\`\`\`${lang}\n${code.replace(/[`\\]/g, (c) => `\\${c}`)}\n\`\`\``,
    heading: (text) => `*${text}*`,
    quote: (text) => `>${text}`,
  });
}

/** Slack wants & < > escaped in text; its own markup is *bold* _italic_ ~strike~ and <url|label>. */
function escapeSlack(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const slackMrkdwn: Dialect = {
  inline(s) {
    const inner = (c: readonly Inline[]) => c.map((x) => slackMrkdwn.inline(x)).join("");
    switch (s.t) {
      case "text":
        return escapeSlack(s.v);
      case "code":
        return `\`${escapeSlack(s.v)}\``;
      case "bold":
        return `*${inner(s.c)}*`;
      case "italic":
        return `_${inner(s.c)}_`;
      case "strike":
        return `~${inner(s.c)}~`;
      case "link": {
        const label = plainOf(s.c).replace(/[|>]/g, "");
        return label && label !== s.url ? `<${s.url}|${escapeSlack(label)}>` : `<${s.url}>`;
      }
    }
  },
  fence: (_lang, code) => `\`\`\`\n${escapeSlack(code)}\n\`\`\``,
  heading: (text) => `*${text}*`,
  quote: (text) => `> ${text}`,
};

/**
 * Discord renders the model's markdown itself. Only mass mentions are defused (a zero-width space after the @),
 * so a reply quoting "@everyone" cannot ping a server; outside code only.
 */
function renderDiscord(markdown: string): string {
  const parts = markdown.split(/(```[\s\S]*?```|`[^`\n]*`)/);
  return parts
    .map((p, i) => (i % 2 === 1 ? p : p.replace(/@(everyone|here)\b/g, "@\u200b$1")))
    .join("")
    .trim();
}

const plainText: Dialect = {
  inline(s) {
    switch (s.t) {
      case "text":
      case "code":
        return s.v;
      case "bold":
      case "italic":
      case "strike":
        return plainOf(s.c);
      case "link": {
        const label = plainOf(s.c);
        return label === s.url ? s.url : `${label} (${s.url})`;
      }
    }
  },
  fence: (_lang, code) => code,
  heading: (text) => text,
  quote: (text) => `> ${text}`,
};
