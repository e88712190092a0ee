import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { type Block, type Inline, parseMarkdown } from "./markdown.js";

/**
 * Above this size a reply is shown as plain preformatted text: parsing and laying out a megabyte of
 * Markdown on every streamed delta would freeze the tab, and such replies are mostly data anyway.
 */
export const MARKDOWN_MAX_CHARS = 100_000;

/** Renders Markdown as DOM nodes built from text: no HTML from the reply is ever interpreted. */
export function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => (text.length > MARKDOWN_MAX_CHARS ? undefined : parseMarkdown(text)), [text]);
  if (!blocks) {
    return (
      <div class="plain" data-testid="plain-text">
        <p class="muted">Long reply ({text.length.toLocaleString()} characters) shown as plain text.</p>
        {text}
      </div>
    );
  }
  return <div class="md">{blocks.map(renderBlock)}</div>;
}

function renderBlock(block: Block, i: number): ComponentChildren {
  switch (block.t) {
    case "p":
      return <p key={i}>{block.c.map(renderInline)}</p>;
    case "h": {
      const Tag = `h${Math.min(6, block.level + 2)}` as "h3";
      return <Tag key={i}>{block.c.map(renderInline)}</Tag>;
    }
    case "code":
      return <CodeBlock key={i} lang={block.lang} code={block.v} />;
    case "list": {
      const items = block.items.map((item, j) => <li key={j}>{item.map(renderInline)}</li>);
      return block.ordered ? (
        <ol key={i} start={block.start}>
          {items}
        </ol>
      ) : (
        <ul key={i}>{items}</ul>
      );
    }
    case "quote":
      return <blockquote key={i}>{block.c.map(renderBlock)}</blockquote>;
    case "hr":
      return <hr key={i} />;
  }
}

function renderInline(node: Inline, i: number): ComponentChildren {
  switch (node.t) {
    case "text":
      return node.v;
    case "br":
      return <br key={i} />;
    case "code":
      return <code key={i}>{node.v}</code>;
    case "strong":
      return <strong key={i}>{node.c.map(renderInline)}</strong>;
    case "em":
      return <em key={i}>{node.c.map(renderInline)}</em>;
    case "link":
      return (
        <a key={i} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
          {node.c.map(renderInline)}
        </a>
      );
  }
}

function CodeBlock({ lang, code }: { lang: string; code: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    // The clipboard API exists only in secure contexts (https or localhost); elsewhere the button hides.
    void navigator.clipboard?.writeText(code).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <div class="codeblock">
      <div class="codebar">
        <span>{lang || "code"}</span>
        {navigator.clipboard && (
          <button type="button" class="link" onClick={copy}>
            {copied ? "Copied" : "Copy"}
          </button>
        )}
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
