/**
 * HTML to readable markdown: Readability picks the article (dropping navigation, ads, scripts), Turndown
 * renders it as markdown. linkedom stands in for a browser DOM. All three load on first use.
 */

export interface ExtractedPage {
  title?: string;
  text: string;
}

export async function htmlToMarkdown(
  html: string,
  opts: { readability: boolean; mode: "markdown" | "text" },
): Promise<ExtractedPage> {
  const [{ parseHTML }, { Readability }, turndownModule] = await Promise.all([
    import("linkedom"),
    import("@mozilla/readability"),
    import("turndown"),
  ]);
  const TurndownService = turndownModule.default;
  const { document } = parseHTML(html);
  for (const el of document.querySelectorAll("script, style, noscript, template, iframe, svg")) el.remove();
  const title = document.querySelector("title")?.textContent?.trim() || undefined;

  let articleHtml: string | undefined;
  let articleText: string | undefined;
  let articleTitle: string | undefined;
  if (opts.readability) {
    try {
      // Readability mutates the document it is given; linkedom documents clone cheaply via a second parse.
      const { document: copy } = parseHTML(html);
      for (const el of copy.querySelectorAll("script, style, noscript, template")) el.remove();
      const article = new Readability(copy as unknown as ConstructorParameters<typeof Readability>[0], {
        charThreshold: 200,
      }).parse();
      if (article?.content && (article.textContent ?? "").trim().length > 0) {
        articleHtml = article.content;
        articleText = article.textContent ?? undefined;
        articleTitle = article.title ?? undefined;
      }
    } catch {
      // Readability gives up on odd markup; the whole body below is the fallback.
    }
  }
  const pageTitle = articleTitle || title;
  if (opts.mode === "text") {
    const text = articleText ?? document.body?.textContent ?? document.documentElement?.textContent ?? "";
    return { ...(pageTitle ? { title: pageTitle } : {}), text: collapseWhitespace(text) };
  }
  const turndown = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-" });
  const source = articleHtml ?? document.body?.innerHTML ?? html;
  const markdown = turndown.turndown(source);
  return { ...(pageTitle ? { title: pageTitle } : {}), text: markdown.replace(/\n{3,}/g, "\n\n").trim() };
}

function collapseWhitespace(text: string): string {
  return text
    .split("\n")
    .map((l) => l.replace(/[ \t]+/g, " ").trim())
    .filter((l, i, all) => l.length > 0 || (i > 0 && (all[i - 1] ?? "").length > 0))
    .join("\n")
    .trim();
}
