import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { secretsEqual } from "../../auth.js";
import type { GatewayServices } from "../../services.js";
import { bearerToken, readJsonBody, remoteAddress } from "../json-body.js";
import { agentForModel, modelIds, modelNotFound } from "./agent-target.js";
import { fromThrown, OpenAiHttpError, sendOpenAiError } from "./errors.js";
import { ResponseSessions } from "./response-sessions.js";

/** OpenClaw's built-in request limit for these endpoints; a chat history with pasted documents fits. */
export const OPENAI_MAX_BODY_BYTES = 20 * 1024 * 1024;

type Endpoint = "models" | "model" | "chat" | "responses";

function endpointOf(path: string): { endpoint: Endpoint; modelId?: string } | undefined {
  if (path === "/v1/models") return { endpoint: "models" };
  if (path.startsWith("/v1/models/")) {
    const raw = path.slice("/v1/models/".length);
    try {
      return { endpoint: "model", modelId: decodeURIComponent(raw) };
    } catch {
      return { endpoint: "model", modelId: raw };
    }
  }
  if (path === "/v1/chat/completions") return { endpoint: "chat" };
  if (path === "/v1/responses") return { endpoint: "responses" };
  return undefined;
}

/**
 * The OpenAI-compatible HTTP API: `/v1/chat/completions`, `/v1/responses`, `/v1/models`. Off unless
 * gateway.http.endpoints.chatCompletions / .responses is enabled (`/v1/models` follows either). Auth is the
 * gateway's own token or password as a Bearer key, with failed attempts counted per address (shared lockout).
 */
export function createOpenAiHttp(services: GatewayServices): (req: IncomingMessage, res: ServerResponse) => boolean {
  // The gateway's one failed-auth table: guesses here and on the WebSocket add up to the same lockout.
  const limiter = services.authLimiter;
  const sessions = new ResponseSessions();

  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    const route = endpointOf(path);
    if (!route) return false;
    const requestId = `req_${randomBytes(16).toString("hex")}`;
    void serve(route, req, res, requestId).catch((err) => {
      if (!(err instanceof OpenAiHttpError)) services.log.error({ err, path }, "OpenAI-compatible request failed");
      if (!res.headersSent) sendOpenAiError(res, fromThrown(err), requestId);
      else res.end();
    });
    return true;
  };

  async function serve(
    route: { endpoint: Endpoint; modelId?: string },
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
  ): Promise<void> {
    const endpoints = services.config.current.config.gateway.http.endpoints;
    const enabled = {
      chat: endpoints.chatCompletions.enabled,
      responses: endpoints.responses.enabled,
      models: endpoints.chatCompletions.enabled || endpoints.responses.enabled,
      model: endpoints.chatCompletions.enabled || endpoints.responses.enabled,
    }[route.endpoint];
    if (!enabled) {
      const key = route.endpoint === "responses" ? "responses" : "chatCompletions";
      throw new OpenAiHttpError(
        404,
        "invalid_request_error",
        "endpoint_disabled",
        `the OpenAI-compatible API is off: set gateway.http.endpoints.${key}.enabled to true to serve ${req.method} ${route.endpoint === "model" ? "/v1/models/{id}" : new URL(req.url ?? "/", "http://gateway").pathname}`,
      );
    }
    const method = route.endpoint === "models" || route.endpoint === "model" ? "GET" : "POST";
    if (req.method !== method) {
      req.resume();
      throw new OpenAiHttpError(405, "invalid_request_error", "method_not_allowed", `use ${method}`, null, {
        allow: method,
      });
    }
    authorize(req);
    const runtime = services.agent;
    if (!runtime) {
      throw new OpenAiHttpError(
        503,
        "server_error",
        "unavailable",
        "the agent runtime is not running yet; retry in a moment",
      );
    }

    if (route.endpoint === "models" || route.endpoint === "model") {
      const created = Math.floor(services.startedAt / 1000);
      const entry = (id: string) => ({ id, object: "model", created, owned_by: "pincer" });
      const agents = runtime.agents();
      if (route.endpoint === "models")
        return sendJsonOk(res, { object: "list", data: modelIds(agents).map(entry) }, requestId);
      const id = route.modelId ?? "";
      if (!agentForModel(id, agents)) throw modelNotFound(id);
      return sendJsonOk(res, entry(id), requestId);
    }

    const body = await readJsonBody(req, { maxBytes: OPENAI_MAX_BODY_BYTES });
    if (!body.ok) {
      const code =
        body.reason === "too_large" ? "request_too_large" : body.reason === "timeout" ? "timeout" : "invalid_json";
      throw new OpenAiHttpError(body.status, "invalid_request_error", code, body.message);
    }
    const controller = new AbortController();
    // `close` on the response fires when the client goes away (or after a normal end, which is not an abort).
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const ctx = { req, res, services, runtime, requestId, body: body.value, signal: controller.signal };
    // The request handlers (and their schemas) load on first use, not at gateway start.
    if (route.endpoint === "chat") await (await import("./chat-completions.js")).handleChatCompletions(ctx);
    else await (await import("./responses.js")).handleResponses(ctx, sessions);
  }

  function authorize(req: IncomingMessage): void {
    const auth = services.auth;
    if (auth.mode === "none") return;
    const address = remoteAddress(req);
    const waitMs = limiter.lockedFor(address);
    if (waitMs > 0) {
      throw new OpenAiHttpError(
        429,
        "rate_limit_error",
        "auth_rate_limited",
        "too many failed authentication attempts from this address; wait before retrying",
        null,
        { "retry-after": String(Math.ceil(waitMs / 1000)) },
      );
    }
    const given = bearerToken(req);
    if (!given || !auth.secret || !secretsEqual(given, auth.secret)) {
      limiter.recordFailure(address);
      throw new OpenAiHttpError(
        401,
        "invalid_request_error",
        "invalid_api_key",
        given
          ? "Incorrect API key provided: use the gateway token (or password) as the API key"
          : "Missing API key: send Authorization: Bearer <gateway token or password>",
      );
    }
    limiter.recordSuccess(address);
  }
}

function sendJsonOk(res: ServerResponse, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-request-id": requestId,
  });
  res.end(text);
}
