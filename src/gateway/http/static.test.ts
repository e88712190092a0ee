import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentSecurityPolicy, createControlUi, routeFile } from "./static.js";

let dir: string;
let server: Server;
let base: string;
let embedOrigins: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pincer-ui-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>ui</title>");
  writeFileSync(join(dir, "chat.html"), "<!doctype html><title>chat</title>");
  writeFileSync(join(dir, "webchat.js"), "console.log('w')");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  writeFileSync(join(dir, "assets", "app-abc123.js"), "export const a = 1;");
  writeFileSync(join(dir, "assets", "app-abc123.css"), "body{}");
  writeFileSync(join(dir, "secret.txt.bak"), "not served");
  const ui = createControlUi({ dir, embedOrigins: () => embedOrigins });
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
      expect(await res.text()).toContain("<title>ui</title>");
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
    expect(createControlUi({ dir: join(dir, "missing"), embedOrigins: () => [] })).toBeUndefined();
  });
});
