import type { ServerResponse } from "node:http";
import { PincerError } from "../../../errors.js";

/**
 * An error in OpenAI's wire shape: `{ error: { message, type, param, code } }` with the HTTP status OpenAI uses
 * for the same failure, so OpenAI client libraries raise the error class their users already handle
 * (BadRequestError, AuthenticationError, NotFoundError, RateLimitError, InternalServerError …).
 */
export class OpenAiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    /** Extra response headers (Retry-After, Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "OpenAiHttpError";
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null) {
  return new OpenAiHttpError(400, "invalid_request_error", code, message, param);
}

/**
 * OpenAI clients retry 408, 409, 429 and 5xx unless the response says `x-should-retry: false`. A failed agent
 * turn is not made better by running it again (and every retry costs tokens), so those answers say so.
 */
const NO_RETRY = { "x-should-retry": "false" };

/** The OpenAI error for a run that did not end "ok": aborted, or failed with the runtime's error. */
export function outcomeFailure(outcome: {
  status: string;
  error?: { kind: string; message: string };
}): OpenAiHttpError {
  return outcome.status === "aborted"
    ? runFailure("aborted", "the run was aborted before it finished")
    : runFailure(outcome.error?.kind, outcome.error?.message ?? "the agent run failed");
}

/** The OpenAI error for a failed agent run (RunOutcome.error.kind from the runtime). */
export function runFailure(kind: string | undefined, message: string): OpenAiHttpError {
  switch (kind) {
    case "rate_limit":
    case "overloaded":
      return new OpenAiHttpError(429, "rate_limit_error", "rate_limit_exceeded", message, null, NO_RETRY);
    case "context_length":
      return new OpenAiHttpError(400, "invalid_request_error", "context_length_exceeded", message);
    case "timeout":
      return new OpenAiHttpError(504, "server_error", "timeout", message, null, NO_RETRY);
    case "budget":
    case "BUDGET_EXCEEDED":
      return new OpenAiHttpError(429, "insufficient_quota", "insufficient_quota", message, null, NO_RETRY);
    default:
      return new OpenAiHttpError(500, "server_error", "agent_run_failed", message, null, NO_RETRY);
  }
}

/** Maps what the runtime throws when a run cannot even start (PincerError codes) to OpenAI's shape. */
export function fromThrown(err: unknown): OpenAiHttpError {
  if (err instanceof OpenAiHttpError) return err;
  if (err instanceof PincerError) {
    switch (err.code) {
      case "INVALID_REQUEST":
        return invalidRequest(err.message);
      case "NOT_FOUND":
        return new OpenAiHttpError(404, "invalid_request_error", "not_found", err.message);
      case "PAYLOAD_TOO_LARGE":
        return new OpenAiHttpError(413, "invalid_request_error", "request_too_large", err.message);
      case "UNAVAILABLE":
        return new OpenAiHttpError(503, "server_error", "unavailable", err.message);
      case "RATE_LIMITED":
        return new OpenAiHttpError(429, "rate_limit_error", "rate_limit_exceeded", err.message);
      case "BUDGET_EXCEEDED":
        return runFailure("budget", err.message);
      case "MODEL_NOT_CONFIGURED":
        return new OpenAiHttpError(503, "server_error", "model_not_configured", err.message, null, NO_RETRY);
    }
  }
  return new OpenAiHttpError(500, "server_error", null, "internal error");
}

/** Writes an OpenAI error response (JSON, never SSE: streaming failures after the headers go in-band). */
export function sendOpenAiError(res: ServerResponse, err: OpenAiHttpError, requestId: string): void {
  const body = JSON.stringify(err.body());
  res.writeHead(err.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...err.headers,
  });
  res.end(body);
}
