import type { IncomingMessage, ServerResponse } from "node:http";
import { webchatHubOf } from "../../channels/webchat/hub.js";
import { WEBCHAT_DISABLED_MESSAGE, webchatSettings } from "../../channels/webchat/settings.js";
import { issueVisitor } from "../../channels/webchat/visitor-token.js";
import type { GatewayServices } from "../services.js";
import { remoteAddress } from "./json-body.js";
import { send, sendJson } from "./routes.js";

/**
 * `POST /webchat/visitor` (also under gateway.controlUi.basePath, where the widget's page lives): issues a
 * WebChat visitor identity, `{ visitorId, token }`. The widget keeps it in localStorage and presents it in
 * its WebSocket connect; the operator token never reaches a visitor's browser.
 */

export const VISITOR_PATH = "/webchat/visitor";
/** New identities per address per minute: enough for a household behind one NAT, too few to farm ids. */
export const VISITOR_ISSUES_PER_MINUTE = 10;

function fail(res: ServerResponse, status: number, code: string, message: string, extra: object = {}): void {
  sendJson(res, status, { ok: false, error: { code, message, ...extra } });
}

/** Returns false when the request is not for the visitor endpoint. */
export function handleWebChatVisitor(
  req: IncomingMessage,
  res: ServerResponse,
  services: GatewayServices,
  originAllowed: (origin: string) => boolean,
): boolean {
  const pathname = (req.url ?? "/").split(/[?#]/, 1)[0];
  const config = services.config.current.config;
  const base = config.gateway.controlUi.basePath ?? "";
  if (pathname !== VISITOR_PATH && pathname !== `${base}${VISITOR_PATH}`) return false;
  if (req.method !== "POST") {
    send(res, 405, "use POST to get a WebChat visitor identity\n", "text/plain; charset=utf-8", { allow: "POST" });
    return true;
  }
  // The body is never read: the identity depends on nothing the client sends.
  req.resume();
  const origin = req.headers.origin;
  if (typeof origin === "string" && !originAllowed(origin)) {
    fail(
      res,
      403,
      "FORBIDDEN",
      `origin ${origin} may not use this gateway's WebChat: add it to gateway.controlUi.allowedOrigins`,
    );
    return true;
  }
  if (webchatSettings(config).dmPolicy === "disabled") {
    fail(res, 403, "FORBIDDEN", WEBCHAT_DISABLED_MESSAGE, { details: { code: "WEBCHAT_DISABLED" } });
    return true;
  }
  const hub = webchatHubOf(services);
  const rate = hub.issueLimiter.take(remoteAddress(req), VISITOR_ISSUES_PER_MINUTE);
  if (!rate.ok) {
    fail(
      res,
      429,
      "RATE_LIMITED",
      `too many new visitors from this address; retry in ${Math.ceil(rate.retryAfterMs / 1000)} s`,
      {
        retryable: true,
        retryAfterMs: rate.retryAfterMs,
      },
    );
    return true;
  }
  void hub
    .visitorSecret()
    .then((secret) => sendJson(res, 200, issueVisitor(secret)))
    .catch((err: unknown) => {
      services.log.error({ err }, "issuing a WebChat visitor identity failed");
      if (!res.headersSent) fail(res, 500, "INTERNAL", "the gateway could not issue a visitor identity; see its log");
    });
  return true;
}
