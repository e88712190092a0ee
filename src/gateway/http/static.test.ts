import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { reloadPlan } from "../../config/reload-plan.js";
import { PincerConfigSchema } from "../../config/schema.js";
import { toConfigIssues } from "../../config/validate.js";
import { contentSecurityPolicy, createControlUi, routeFile, withBaseElement, withinBasePath } from "./static.js";

let dir: string;
let server: Server;
let base: string;
let embedOrigins: string[] = [];
/** What gateway.controlUi.basePath parses to; the UI reads it per request, as after a config reload. */
let basePath: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pincer-ui-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><html><head><title>ui</title><script src="./assets/app-abc123.js"></script></head></html>',
  );
  writeFileSync(join(dir, "chat.html"), "<!doctype html><html><head><title>chat</title></head></html>");
  writeFileSync(join(dir, "webchat.js"), "console.log('w')");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  writeFileSync(join(dir, "assets", "app-abc123.js"), "export const a = 1;");
  writeFileSync(join(dir, "assets", "app-abc123.css"), "body{}");
  writeFileSync(join(dir, "secret.txt.bak"), "not served");
  const ui = createControlUi({ dir, embedOrigins: () => embedOrigins, basePath: () => basePath });
  if (!ui) throw new Error("ui not created");
  server = createServer((req, res) => {
    if (!ui.handle(req, res)) {
      res.writeHead(404);
      res.end("not ui");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** fetch() normalises `..` in URLs; raw paths go through node:http so the server sees them as sent. */
async function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { path }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Control UI static files", () => {
  it("serves index.html at / and at the UI's routes with no-cache and a strict CSP", async () => {
    for (const path of ["/", "/config", "/usage"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(csp).toContain("base-uri 'self'");
      expect(await res.text()).toContain('<head><base href="/"><title>ui</title>');
    }
  });

  it("caches hashed assets for a year and gives each file its MIME type", async () => {
    const js = await fetch(`${base}/assets/app-abc123.js`);
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    const css = await fetch(`${base}/assets/app-abc123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const svg = await fetch(`${base}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    const widget = await fetch(`${base}/webchat.js`);
    expect(widget.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers a matching If-None-Match with 304", async () => {
    const first = await fetch(`${base}/`);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${base}/`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("lets the configured origins frame /chat and nobody frame the Control UI", async () => {
    embedOrigins = ["https://shop.example", "javascript:alert(1)"];
    const res = await fetch(`${base}/chat`);
    expect(await res.text()).toContain("<title>chat</title>");
    expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'self' https:\/\/shop\.example$/);
    expect(res.headers.get("x-frame-options")).toBeNull();
    embedOrigins = [];
  });

  it.each([
    "/assets/../secret.txt.bak",
    "/assets/%2e%2e/secret.txt.bak",
    "/assets/..%2fsecret.txt.bak",
    "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/assets/a%00.js",
    "/assets/..%5csecret.txt.bak",
    "/assets//app-abc123.js",
  ])("refuses the traversal %s", async (path) => {
    const res = await rawGet(path);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain("not served");
  });

  it("404s a missing asset and leaves unknown paths to other routes", async () => {
    expect((await fetch(`${base}/assets/nope-1.js`)).status).toBe(404);
    const other = await fetch(`${base}/health`);
    expect(await other.text()).toBe("not ui");
    expect(await (await fetch(`${base}/secret.txt.bak`)).text()).toBe("not ui");
  });

  it("does not serve the UI for writes", async () => {
    expect(await (await fetch(`${base}/`, { method: "POST" })).text()).toBe("not ui");
  });
});

describe("routeFile", () => {
  it.each([
    ["/", "index.html"],
    ["/logs?x=1", "index.html"],
    ["/chat", "chat.html"],
    ["/webchat.js", "webchat.js"],
  ])("%s → %s", (url, file) => {
    expect(routeFile(url)?.segments.join("/")).toBe(file);
  });

  it("is undefined for paths that are not the UI's", () => {
    expect(routeFile("/health")).toBeUndefined();
    expect(routeFile("/v1/chat/completions")).toBeUndefined();
  });
});

describe("contentSecurityPolicy", () => {
  it("allows the WebSocket back to the page's own host only", () => {
    expect(contentSecurityPolicy("127.0.0.1:18789", "app", [])).toContain(
      "connect-src 'self' ws://127.0.0.1:18789 wss://127.0.0.1:18789",
    );
  });

  it("ignores a Host header that would inject directives", () => {
    const csp = contentSecurityPolicy("evil; script-src *", "app", []);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain("script-src *");
  });
});

describe("createControlUi", () => {
  it("is undefined when the UI was not built", () => {
    expect(
      createControlUi({ dir: join(dir, "missing"), embedOrigins: () => [], basePath: () => undefined }),
    ).toBeUndefined();
  });
});

describe("Control UI under gateway.controlUi.basePath", () => {
  beforeEach(() => {
    basePath = "/ui";
  });
  afterEach(() => {
    basePath = undefined;
  });

  it.each(["/ui/", "/ui/sessions", "/ui/sessions/", "/ui/config?tab=x"])(
    "serves the app at %s with a <base> of the prefix",
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("base-uri 'self'");
      const html = await res.text();
      expect(html).toContain('<head><base href="/ui/"><title>ui</title>');
      // The build's relative asset URL resolves below the prefix from any depth, as a browser resolves it.
      const src = html.match(/src="([^"]+)"/)?.[1] ?? "";
      const asset = new URL(src, new URL("/ui/", `${base}${path}`));
      expect(asset.pathname).toBe("/ui/assets/app-abc123.js");
      expect((await fetch(asset)).status).toBe(200);
    },
  );

  it("redirects the bare prefix to the prefix with a slash, keeping the query", async () => {
    for (const [path, location] of [
      ["/ui", "/ui/"],
      ["/ui?x=1", "/ui/?x=1"],
    ]) {
      const res = await fetch(`${base}${path}`, { redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(location);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("serves /chat, /webchat.js, root files and assets below the prefix", async () => {
    const chat = await fetch(`${base}/ui/chat`);
    expect(await chat.text()).toContain('<base href="/ui/"><title>chat</title>');
    expect((await fetch(`${base}/ui/webchat.js`)).status).toBe(200);
    expect((await fetch(`${base}/ui/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");
    const asset = await fetch(`${base}/ui/assets/app-abc123.css`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it.each(["/", "/sessions", "/chat", "/webchat.js", "/assets/app-abc123.js", "/uix", "/uix/sessions", "/health"])(
    "leaves %s (outside the prefix) to the other routes",
    async (path) => {
      expect(await (await fetch(`${base}${path}`)).text()).toBe("not ui");
    },
  );

  it("refuses traversal below the prefix and leaves unknown paths below it to other routes", async () => {
    expect((await rawGet("/ui/assets/../secret.txt.bak")).status).toBe(400);
    expect((await rawGet("/ui/assets/%2e%2e%2fsecret.txt.bak")).status).toBe(400);
    expect(await (await fetch(`${base}/ui/secret.txt.bak`)).text()).toBe("not ui");
  });

  it("follows a changed base path on the next request, with a new ETag for the page", async () => {
    const before = await fetch(`${base}/ui/`);
    basePath = "/tools-ui/v2";
    expect(await (await fetch(`${base}/ui/`)).text()).toBe("not ui");
    const after = await fetch(`${base}/tools-ui/v2/sessions`);
    expect(await after.text()).toContain('<base href="/tools-ui/v2/">');
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
    basePath = "";
    expect(await (await fetch(`${base}/`)).text()).toContain('<base href="/">');
  });
});

describe("withinBasePath", () => {
  it.each<[string, string, ReturnType<typeof withinBasePath>]>([
    ["/sessions?x=1", "", { path: "/sessions?x=1" }],
    ["/ui/sessions?x=1", "/ui", { path: "/sessions?x=1" }],
    ["/ui/", "/ui", { path: "/" }],
    ["/ui", "/ui", { redirect: "/ui/" }],
    ["/ui?a=b", "/ui", { redirect: "/ui/?a=b" }],
    ["/a/b", "/a/b", { redirect: "/a/b/" }],
    ["/a/b/assets/x.js", "/a/b", { path: "/assets/x.js" }],
    ["/", "/ui", undefined],
    ["/uix", "/ui", undefined],
    ["/UI/", "/ui", undefined],
    ["/x/ui/", "/ui", undefined],
  ])("%s under %j", (url, basePath, expected) => {
    expect(withinBasePath(url, basePath)).toEqual(expected);
  });
});

describe("withBaseElement", () => {
  it("puts the base element first in the head, whatever the head's attributes", () => {
    expect(withBaseElement("<!doctype html><html><head><meta charset=utf-8></head>", "/p")).toBe(
      '<!doctype html><html><head><base href="/p/"><meta charset=utf-8></head>',
    );
    expect(withBaseElement('<HEAD lang="en"><title>x</title>', "")).toBe(
      '<HEAD lang="en"><base href="/"><title>x</title>',
    );
  });

  it("does not mistake <header> for the head and escapes the href", () => {
    expect(withBaseElement("<header></header>", "/p")).toBe("<header></header>");
    expect(withBaseElement("<head>", '/"><script>')).toBe('<head><base href="/&#34;&#62;&#60;script&#62;/">');
  });
});

/** The contract the UI relies on: the schema hands it "" or "/x" (no trailing slash), or refuses the value. */
describe("gateway.controlUi.basePath in the config schema", () => {
  const parse = (basePath: string) => PincerConfigSchema.safeParse({ gateway: { controlUi: { basePath } } });

  it.each([
    ["", ""],
    ["/", ""],
    ["/pincer", "/pincer"],
    ["/pincer/", "/pincer"],
    [" /a/b.c~d_e-f// ", "/a/b.c~d_e-f"],
  ])("accepts %j as %j", (input, parsed) => {
    const result = parse(input);
    expect(result.success && result.data.gateway.controlUi.basePath).toBe(parsed);
  });

  it.each([
    ["pincer", 'must start with "/" (e.g. "/pincer")'],
    ["/pincer?x=1", "without a query (?) or fragment (#)"],
    ["/pincer#top", "without a query (?) or fragment (#)"],
    ["/a/../b", 'must not contain "." or ".." segments'],
    ["/a/./b", 'must not contain "." or ".." segments'],
    ["//pincer", 'empty segment ("//")'],
    ["/a//b", 'empty segment ("//")'],
    ["/my ui", 'only letters, digits, "-", ".", "_", "~" and "/"'],
    ["/%2e%2e", 'only letters, digits, "-", ".", "_", "~" and "/"'],
    ['/"><script>', 'only letters, digits, "-", ".", "_", "~" and "/"'],
    ["/v1", 'must not start with "/v1"'],
    ["/hooks/ui", 'must not start with "/hooks"'],
    ["/health", 'must not start with "/health"'],
  ])("refuses %j, naming the key", (input, message) => {
    const result = parse(input);
    expect(result.success).toBe(false);
    const issues = result.success ? [] : toConfigIssues(result.error.issues);
    expect(issues).toEqual([{ path: "gateway.controlUi.basePath", message: expect.stringContaining(message) }]);
  });

  it("is applied by a config reload without a restart", () => {
    const plan = reloadPlan(
      PincerConfigSchema.parse({}),
      PincerConfigSchema.parse({ gateway: { controlUi: { basePath: "/pincer" } } }),
    );
    expect(plan).toMatchObject({ hot: ["gateway.controlUi.basePath"], restart: [] });
  });
});
