import { describe, expect, it } from "vitest";
import { PAGES, pageAt, pageHref, uiBase } from "./route.js";

describe("uiBase", () => {
  it.each([
    ["http://gw:18789/", "/"],
    ["http://gw:18789/pincer/", "/pincer/"],
    ["http://gw:18789/a/b/", "/a/b/"],
    // No <base> element (Vite dev server): the page URL's folder.
    ["http://localhost:5173/sessions", "/"],
  ])("%s → %s", (baseUri, base) => {
    expect(uiBase(baseUri)).toBe(base);
  });
});

describe("pageHref and pageAt", () => {
  it.each(["/", "/pincer/", "/a/b/"])("round-trip every page under %s", (base) => {
    for (const { path } of PAGES) {
      const href = pageHref(path, base);
      expect(href.startsWith(base)).toBe(true);
      expect(pageAt(href, base)).toBe(path);
    }
  });

  it("maps the prefix's own URLs", () => {
    expect(pageHref("/", "/pincer/")).toBe("/pincer/");
    expect(pageHref("/sessions", "/pincer/")).toBe("/pincer/sessions");
    expect(pageAt("/pincer/sessions/", "/pincer/")).toBe("/sessions");
    expect(pageAt("/pincer/logs", "/pincer/")).toBe("/logs");
  });

  it("shows the chat for unknown paths and paths outside the base", () => {
    expect(pageAt("/pincer/nope", "/pincer/")).toBe("/");
    expect(pageAt("/sessions", "/pincer/")).toBe("/");
    expect(pageAt("/pincer/sessions/x", "/pincer/")).toBe("/");
  });
});
