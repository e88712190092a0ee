import { describe, expect, it } from "vitest";
import { escapeMarkdownV2, renderMarkdown, renderTelegramMarkdownV2 } from "./render.js";

describe("renderMarkdown", () => {
  it.each([
    ["telegram-html", "**bold** and _it_", "<b>bold</b> and <i>it</i>"],
    ["telegram-html", "a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"],
    ["telegram-html", "use `x<y>` here", "use <code>x&lt;y&gt;</code> here"],
    ["telegram-html", '[docs](https://e.com/?a=1&b="2")', '<a href="https://e.com/?a=1&amp;b=&quot;2&quot;">docs</a>'],
    ["telegram-html", "```ts\nif (a < b) {}\n```", '<pre><code class="language-ts">if (a &lt; b) {}</code></pre>'],
    ["telegram-html", "```\nplain\n```", "<pre>plain</pre>"],
    ["telegram-html", "# Title\n> quoted", "<b>Title</b>\n<blockquote>quoted</blockquote>"],
    ["telegram-html", "~~gone~~", "<s>gone</s>"],
    ["telegram-html", "snake_case_name stays", "snake_case_name stays"],
    ["telegram-html", "2 * 3 * 4", "2 * 3 * 4"],
    ["telegram-html", "**unclosed bold", "**unclosed bold"],
    ["telegram-html", "- item one\n- item two", "• item one\n• item two"],
    ["slack-mrkdwn", "**bold** _it_ ~~s~~", "*bold* _it_ ~s~"],
    ["slack-mrkdwn", "[site](https://x.io) <tag> & co", "<https://x.io|site> &lt;tag&gt; &amp; co"],
    ["slack-mrkdwn", "```js\nlet a = 1 < 2;\n```", "```\nlet a = 1 &lt; 2;\n```"],
    ["slack-mrkdwn", "## Head", "*Head*"],
    ["discord", "**bold** [l](https://x.io)", "**bold** [l](https://x.io)"],
    ["discord", "hey @everyone and @here", "hey @\u200beveryone and @\u200bhere"],
    ["discord", "`@everyone` in code", "`@everyone` in code"],
    ["plain", "**bold** [docs](https://e.com) `code`", "bold docs (https://e.com) code"],
    ["plain", "```py\nprint(1)\n```", "print(1)"],
    ["plain", "# Heading\n\n\n\ntext", "Heading\n\ntext"],
    ["plain", "escaped \\*stars\\*", "escaped *stars*"],
  ] as const)("%s: %j", (target, input, expected) => {
    expect(renderMarkdown(input, target)).toBe(expected);
  });
});

describe("Telegram MarkdownV2", () => {
  it("escapes every reserved character in text", () => {
    expect(escapeMarkdownV2("1.5 + (2) = 3! #x_y")).toBe("1\\.5 \\+ \\(2\\) \\= 3\\! \\#x\\_y");
  });
  it("renders spans and keeps code contents except ` and \\", () => {
    expect(renderTelegramMarkdownV2("**b** `a.b` [x](https://e.com/a_b) 1.")).toBe(
      "*b* `a.b` [x](https://e.com/a_b) 1\\.",
    );
  });
});
