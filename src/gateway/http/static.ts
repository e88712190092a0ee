import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Serves the built Control UI and WebChat (dist/ui) with a strict CSP (no inline script, no eval), immutable
 * caching for content-hashed assets, revalidation for the HTML entry points, and refusal of path traversal.
 * Under gateway.controlUi.basePath ("/pincer") every UI path moves below the prefix; the build refers to its
 * files relatively and each HTML page gets a `<base href="/pincer/">`, so one build works under any prefix
 * and at any depth (a reloaded /pincer/sessions/ still finds /pincer/assets/).
 */

const MIME_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite names every bundled asset `name-<hash>.ext`: a changed file gets a new URL, so a year is safe. */
const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
/** Entry points and unhashed files must be revalidated so a new build is picked up on the next load. */
const REVALIDATE_CACHE = "no-cache";

/** Client-side routes of the Control UI; a browser navigating to one gets index.html (the SPA fallback). */
export const CONTROL_UI_ROUTES = ["/sessions", "/channels", "/pairing", "/cron", "/usage", "/config", "/logs"];

export interface ControlUiOptions {
  /** The folder holding index.html, chat.html, webchat.js and assets/. */
  dir: string;
  /** Origins allowed to frame the WebChat page (gateway.controlUi.allowedOrigins); read per request. */
  embedOrigins: () => readonly string[];
  /**
   * gateway.controlUi.basePath as the schema parsed it: "/x" without a trailing slash, "" or undefined for the
   * root. Read per request, so a config reload moves the UI without a restart.
   */
  basePath: () => string | undefined;
}

export interface ControlUi {
  dir: string;
  /**
   * Serves `/`, `/chat`, `/webchat.js`, files under `/assets/`, root files of the build and the UI's own
   * routes, all below the base path, and redirects the bare base path (`/pincer`) to `/pincer/`. Returns false
   * when the path is not the UI's so other route families (and the status page at `/`) can answer.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Where the build lands: `<package root>/dist/ui`. The package root is found by walking up from this module,
 * so it holds whether the gateway runs from src/ (tsx), from per-file dist/ output, or from bundled chunks.
 */
export function defaultUiDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) {
      const ui = join(dir, "dist", "ui");
      return existsSync(join(ui, "index.html")) ? ui : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Returns undefined when the UI was not built: the gateway then keeps its plain status page at `/`. */
export function createControlUi(opts: ControlUiOptions): ControlUi | undefined {
  const root = resolve(opts.dir);
  if (!existsSync(join(root, "index.html"))) return undefined;
  return {
    dir: root,
    handle(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const basePath = opts.basePath() ?? "";
      const within = withinBasePath(req.url ?? "/", basePath);
      if (within === undefined) return false;
      if ("redirect" in within) {
        res.writeHead(302, { location: within.redirect, "cache-control": "no-store", "content-length": "0" });
        res.end();
        return true;
      }
      const target = routeFile(within.path);
      if (target === undefined) return false;
      if (target === null) {
        sendStatus(res, 400, "bad path: encoded separators, dot segments and NUL bytes are refused");
        return true;
      }
      const file = resolve(root, ...target.segments);
      if (!file.startsWith(root + sep)) {
        sendStatus(res, 400, "bad path: outside the UI folder");
        return true;
      }
      void serveFile(req, res, file, target, { embed: opts.embedOrigins(), basePath }).catch(() => {
        if (!res.headersSent) sendStatus(res, 404, "not found");
        else res.destroy();
      });
      return true;
    },
  };
}

interface RouteTarget {
  segments: string[];
  kind: "app" | "chat" | "asset" | "file";
}

/**
 * The request URL as the UI sees it, with the base path cut off (`/pincer/sessions?x` → `/sessions?x`).
 * `redirect` for the bare base path, so relative URLs in the page resolve below it; undefined outside it.
 */
export function withinBasePath(rawUrl: string, basePath: string): { path: string } | { redirect: string } | undefined {
  if (basePath === "") return { path: rawUrl };
  const cut = rawUrl.search(/[?#]/);
  const pathname = cut < 0 ? rawUrl : rawUrl.slice(0, cut);
  if (pathname === basePath) {
    const query = cut < 0 ? "" : rawUrl.slice(cut);
    // Only a plain printable query is carried into the Location header.
    return { redirect: `${basePath}/${/^[\x21-\x7e]*$/.test(query) ? query : ""}` };
  }
  return pathname.startsWith(`${basePath}/`) ? { path: rawUrl.slice(basePath.length) } : undefined;
}

/**
 * Maps a request URL (below the base path) to a file of the build. undefined: not a UI path. null: a UI-looking path that is
 * malformed or tries to climb out of the folder.
 */
export function routeFile(rawUrl: string): RouteTarget | null | undefined {
  const pathname = rawUrl.split(/[?#]/, 1)[0] ?? "/";
  // `/sessions/` is the same page as `/sessions`: the <base> element keeps its relative URLs right.
  const page = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (page === "/" || CONTROL_UI_ROUTES.includes(page)) return { segments: ["index.html"], kind: "app" };
  if (pathname === "/chat" || pathname === "/chat/") return { segments: ["chat.html"], kind: "chat" };
  const isAsset = pathname.startsWith("/assets/");
  const isRootFile = /^\/[A-Za-z0-9._-]+\.(js|svg|ico|png|webmanifest|txt)$/.test(pathname);
  if (!isAsset && !isRootFile) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const segments = decoded.split("/").slice(1);
  const bad = segments.some((s) => s === "" || s === "." || s === ".." || /[\\\0]/.test(s));
  if (bad) return null;
  return { segments, kind: isAsset ? "asset" : "file" };
}

/**
 * The CSP of every UI response: scripts and styles only from the gateway itself (no inline, no eval), the
 * WebSocket back to the same host, nothing framing the Control UI; the WebChat page may be framed by the
 * configured embed origins.
 */
export function contentSecurityPolicy(host: string | undefined, kind: RouteTarget["kind"], embed: readonly string[]) {
  const safeHost = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : undefined;
  const connect = safeHost ? `'self' ws://${safeHost} wss://${safeHost}` : "'self'";
  const frameAncestors =
    kind === "chat"
      ? ["'self'", ...embed.filter((o) => o === "*" || /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(o))].join(" ")
      : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "manifest-src 'self'",
    // The pages carry a <base href> of the gateway's own origin (see withBaseElement); nothing else may set one.
    "base-uri 'self'",
    "form-action 'none'",
    "object-src 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

/**
 * Puts `<base href="<basePath>/">` first in the head of an HTML page: the build's relative URLs then resolve
 * below the base path whatever the depth of the page's URL, and the client router reads its base from
 * document.baseURI. The base path is validated by the config schema; it is escaped here all the same.
 */
export function withBaseElement(html: string, basePath: string): string {
  const href = `${basePath}/`.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return html.replace(/<head(\s[^>]*)?>/i, (head) => `${head}<base href="${href}">`);
}

async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  target: RouteTarget,
  page: { embed: readonly string[]; basePath: string },
): Promise<void> {
  const isPage = target.kind === "app" || target.kind === "chat";
  const raw = await readFile(file);
  const body = isPage ? Buffer.from(withBaseElement(raw.toString("utf8"), page.basePath)) : raw;
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers: Record<string, string> = {
    "content-type": MIME_TYPES[extname(file)] ?? "application/octet-stream",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": target.kind === "asset" ? IMMUTABLE_CACHE : REVALIDATE_CACHE,
    etag,
  };
  if (isPage) {
    headers["content-security-policy"] = contentSecurityPolicy(req.headers.host, target.kind, page.embed);
    headers["cross-origin-opener-policy"] = "same-origin";
    if (target.kind === "app") headers["x-frame-options"] = "DENY";
  }
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers["content-length"] = String(body.byteLength);
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

function sendStatus(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  });
  res.end(message);
}
