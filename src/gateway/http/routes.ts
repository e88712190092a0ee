import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayServices } from "../services.js";
import { landingPage } from "./landing.js";

export interface HttpState {
  ready: boolean;
}

/** A response helper with the security headers every gateway response carries. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    ...extra,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), "application/json; charset=utf-8");
}

/**
 * Plain HTTP routes served beside the WebSocket. Returns false when the path is not ours so later route
 * families (OpenAI API, hooks, Control UI) can be tried.
 */
export function handleCoreHttp(
  req: IncomingMessage,
  res: ServerResponse,
  services: GatewayServices,
  state: HttpState,
): boolean {
  const url = new URL(req.url ?? "/", "http://gateway");
  const path = url.pathname;
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  switch (path) {
    case "/health":
    case "/healthz":
      sendJson(res, 200, {
        ok: true,
        status: "live",
        version: services.version,
        uptimeMs: Date.now() - services.startedAt,
      });
      return true;
    case "/ready":
    case "/readyz":
      sendJson(res, state.ready ? 200 : 503, { ok: state.ready, ready: state.ready });
      return true;
    case "/":
      send(res, 200, landingPage(services), "text/html; charset=utf-8", {
        "content-security-policy":
          "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        "x-frame-options": "DENY",
      });
      return true;
    default:
      return false;
  }
}
