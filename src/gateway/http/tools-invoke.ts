import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { PincerError, toErrorShape } from "../../errors.js";
import { secretsEqual } from "../auth.js";
import { formatIssues, SCOPES } from "../protocol/frames.js";
import type { GatewayServices } from "../services.js";
import { bearerToken, readJsonBody, remoteAddress } from "./json-body.js";
import { sendJson } from "./routes.js";

/** Largest request body accepted, in bytes (OpenClaw's default). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const InvokeBody = z.looseObject({
  tool: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  sessionKey: z.string().min(1).optional(),
  agentId: z.string().min(1).optional(),
  idempotencyKey: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
});

const STATUS: Record<string, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

/**
 * POST /tools/invoke: run one tool of a session directly, with the gateway's auth (Bearer token or password)
 * and the same tool policy an agent turn gets, plus the direct-invoke deny list. Returns false for other paths.
 */
export function handleToolsInvoke(req: IncomingMessage, res: ServerResponse, services: GatewayServices): boolean {
  const path = new URL(req.url ?? "/", "http://gateway").pathname;
  if (path !== "/tools/invoke") return false;
  void serve(req, res, services).catch((err) => {
    services.log.error({ err }, "/tools/invoke failed");
    if (!res.headersSent) sendJson(res, 500, { ok: false, error: { type: "INTERNAL", message: "internal error" } });
  });
  return true;
}

async function serve(req: IncomingMessage, res: ServerResponse, services: GatewayServices): Promise<void> {
  const fail = (status: number, code: string, message: string) =>
    sendJson(res, status, { ok: false, error: { type: code, code, message } });
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return fail(405, "METHOD_NOT_ALLOWED", "use POST");
  }
  if (services.auth.mode !== "none") {
    const address = remoteAddress(req);
    const waitMs = services.authLimiter.lockedFor(address);
    if (waitMs > 0) {
      res.setHeader("retry-after", String(Math.ceil(waitMs / 1000)));
      return fail(429, "RATE_LIMITED", `too many failed auth attempts: retry in ${Math.ceil(waitMs / 1000)} s`);
    }
    const given = bearerToken(req);
    if (!given || !services.auth.secret || !secretsEqual(given, services.auth.secret)) {
      services.authLimiter.recordFailure(address);
      return fail(401, "UNAUTHORIZED", "send Authorization: Bearer <gateway token or password>");
    }
    services.authLimiter.recordSuccess(address);
  }
  const body = await readJsonBody(req, { maxBytes: MAX_BODY_BYTES });
  if (!body.ok) {
    const code = body.status === 413 ? "PAYLOAD_TOO_LARGE" : body.status === 408 ? "TIMEOUT" : "INVALID_REQUEST";
    return fail(body.status, code, body.message);
  }
  const json = body.value ?? {};
  const parsed = InvokeBody.safeParse(json);
  if (!parsed.success) return fail(400, "INVALID_REQUEST", formatIssues(parsed.error, "body."));
  const p = parsed.data;
  const name = p.name ?? p.tool;
  if (!name) return fail(400, "INVALID_REQUEST", "body.tool (or body.name) is required");
  const args = { ...(p.args ?? {}) };
  if (p.action && args.action === undefined) args.action = p.action;

  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const { runToolsInvoke } = await import("../methods/tools.js");
  try {
    const result = await runToolsInvoke(
      {
        name,
        args,
        ...(p.sessionKey ? { sessionKey: p.sessionKey } : {}),
        ...(p.agentId ? { agentId: p.agentId } : {}),
        ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
      },
      {
        services,
        caller: { connId: "http", scopes: new Set(SCOPES), clientId: "http:/tools/invoke", clientMode: "http" },
        signal: controller.signal,
      },
    );
    sendJson(res, 200, { ok: true, result });
  } catch (err) {
    const shape = toErrorShape(err);
    const status = err instanceof PincerError ? (STATUS[shape.code] ?? 500) : 500;
    fail(status, shape.code, status === 500 && !(err instanceof PincerError) ? "tool execution failed" : shape.message);
  }
}
