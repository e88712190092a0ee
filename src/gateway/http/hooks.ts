import type { IncomingMessage, ServerResponse } from "node:http";
import type { Automation } from "../../automation/automation.js";
import { PincerError } from "../../errors.js";
import { AuthFailureLimiter, secretsEqual } from "../auth.js";
import type { GatewayServices } from "../services.js";
import { bearerToken, readJsonBody, remoteAddress } from "./json-body.js";
import { sendJson } from "./routes.js";

/** OpenClaw's numbers: 20 failed attempts within a minute lock the address out for that minute. */
const HOOK_AUTH_MAX_FAILURES = 20;
const HOOK_AUTH_WINDOW_MS = 60_000;
/** Senders such as Pub/Sub push slowly on poor links; still a bound, not an open socket. */
const HOOK_BODY_TIMEOUT_MS = 30_000;

/**
 * POST <hooks.path>/wake, /agent and /<mapping>: webhooks from outside, with their own token (Bearer, or the
 * x-pincer-token / x-openclaw-token header; never the URL). Off unless hooks.enabled; disabled hooks fall
 * through to the other routes.
 */
export function createHooksHttp(
  services: GatewayServices,
  automation: Automation,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limiter = new AuthFailureLimiter(HOOK_AUTH_MAX_FAILURES, HOOK_AUTH_WINDOW_MS);
  const hooksToken = services.config.current.config.hooks?.token;
  if (hooksToken && services.auth.secret && secretsEqual(hooksToken, services.auth.secret)) {
    services.log.warn(
      "hooks.token equals the gateway token: give webhooks their own secret, so a sender cannot operate the gateway",
    );
  }
  return (req, res) => {
    const hooks = services.config.current.config.hooks;
    if (!hooks?.enabled) return false;
    const url = new URL(req.url ?? "/", "http://gateway");
    if (url.pathname !== hooks.path && !url.pathname.startsWith(`${hooks.path}/`)) return false;
    void serve(req, res, url).catch((err) => {
      services.log.error({ err, path: url.pathname }, "webhook failed");
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: "hook mapping failed; see the gateway log" });
    });
    return true;
  };

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const hooks = services.config.current.config.hooks!;
    if (url.searchParams.has("token")) {
      return sendJson(res, 400, {
        ok: false,
        error: "a token in the URL is refused (URLs end up in logs): send Authorization: Bearer <hooks.token>",
      });
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendJson(res, 405, { ok: false, error: "webhooks take POST" });
    }
    const address = remoteAddress(req);
    const lockedMs = limiter.lockedFor(address);
    if (lockedMs > 0) {
      res.setHeader("retry-after", String(Math.ceil(lockedMs / 1000)));
      return sendJson(res, 429, { ok: false, error: "too many failed webhook authentications; retry later" });
    }
    const given = bearerToken(req) ?? headerValue(req, "x-pincer-token") ?? headerValue(req, "x-openclaw-token");
    if (!given || !hooks.token || !secretsEqual(given, hooks.token)) {
      limiter.recordFailure(address);
      return sendJson(res, 401, {
        ok: false,
        error: "webhook authentication failed: send Authorization: Bearer <hooks.token> (not the gateway token)",
      });
    }
    limiter.recordSuccess(address);
    const subPath = url.pathname.slice(hooks.path.length).replace(/^\/+|\/+$/g, "");
    if (!subPath) return sendJson(res, 404, { ok: false, error: `POST ${hooks.path}/wake, /agent or /<mapping>` });
    const body = await readJsonBody(req, { maxBytes: hooks.maxBodyBytes, timeoutMs: HOOK_BODY_TIMEOUT_MS });
    if (!body.ok) return sendJson(res, body.status, { ok: false, error: body.message });
    if (
      body.value !== undefined &&
      (typeof body.value !== "object" || body.value === null || Array.isArray(body.value))
    ) {
      return sendJson(res, 400, { ok: false, error: "the body must be a JSON object" });
    }
    const runtime = services.agent;
    if (!runtime) return sendJson(res, 503, { ok: false, error: "the agent runtime is not running yet" });
    const { dispatchHook } = await import("../../automation/webhooks/dispatch.js");
    try {
      const result = await dispatchHook(
        {
          runtime,
          channels: () => services.channels,
          log: services.log.child({ subsystem: "hooks" }),
          wake: (agentId, text, mode) => automation.wake(agentId, text, mode),
        },
        hooks,
        {
          subPath,
          payload: body.value,
          headers: flatHeaders(req),
          query: Object.fromEntries(url.searchParams),
        },
      );
      sendJson(res, result.status, result.body);
    } catch (err) {
      if (!(err instanceof PincerError)) throw err;
      const status = ERROR_STATUS[err.code];
      if (status === undefined) throw err;
      sendJson(res, status, { ok: false, error: err.message });
    }
  }
}

const ERROR_STATUS: Record<string, number> = {
  INVALID_REQUEST: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || undefined;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "authorization" || name.endsWith("-token")) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
