import { z } from "zod";

/**
 * Model failures as values. Whatever the provider SDK throws or streams as an error is classified here,
 * once, into a kind the failover logic and the user-facing message can act on.
 */

export type ModelFailureKind =
  | "auth"
  | "rate_limit"
  | "overloaded"
  | "context_length"
  | "timeout"
  | "network"
  | "not_configured"
  | "bad_request"
  | "server_error"
  | "aborted"
  | "unknown";

export interface ModelFailure {
  kind: ModelFailureKind;
  message: string;
  httpStatus?: number;
  retryAfterMs?: number;
  provider?: string;
  model?: string;
}

/** Longest retry-after honoured; a provider asking for more is treated as asking for this. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** The fields of the AI SDK's APICallError (and similar) that matter, read without trusting the shape. */
const ApiErrorSchema = z.object({
  message: z.string().optional(),
  statusCode: z.number().int().optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  responseBody: z.string().optional(),
  name: z.string().optional(),
  code: z.string().optional(),
});

const ErrorWithCauseSchema = z.object({ cause: z.unknown() });
/** Provider error payloads that arrive inside a 200 stream (Anthropic `{ type: "error", error: {...} }`). */
const StreamErrorPayloadSchema = z.object({
  type: z.string().optional(),
  message: z.string().optional(),
  error: z.object({ type: z.string().optional(), message: z.string().optional() }).optional(),
});

const CONTEXT_LENGTH_PATTERN =
  /context[ _-]?(length|window)|prompt is too long|too many tokens|maximum context|token limit|input is too long|exceeds the maximum/i;
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);
const NETWORK_MESSAGE_PATTERN =
  /terminated|fetch failed|socket hang up|network|other side closed|premature close|ECONNRESET/i;

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date); undefined when absent or bad. */
export function parseRetryAfter(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const ms = lower.get("retry-after-ms");
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.min(Math.ceil(Number(ms)), MAX_RETRY_AFTER_MS);
  const value = lower.get("retry-after");
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.ceil(Number(value) * 1000), MAX_RETRY_AFTER_MS);
  // An HTTP date has a weekday and month name; Date.parse would also take "-3" as a year.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

export function kindForStatus(status: number, message: string): ModelFailureKind {
  if (status === 401 || status === 402 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status === 503 || status === 529) return "overloaded";
  if (status === 408 || status === 504) return "timeout";
  if (status >= 400 && status < 500) return CONTEXT_LENGTH_PATTERN.test(message) ? "context_length" : "bad_request";
  if (status >= 500) return "server_error";
  return "unknown";
}

function kindForMessage(message: string, type: string | undefined): ModelFailureKind {
  const text = `${type ?? ""} ${message}`;
  if (/overloaded/i.test(text)) return "overloaded";
  if (/rate[ _-]?limit|too many requests/i.test(text)) return "rate_limit";
  if (/authentication|invalid[ _-]?api[ _-]?key|permission|unauthori[sz]ed/i.test(text)) return "auth";
  if (CONTEXT_LENGTH_PATTERN.test(text)) return "context_length";
  if (/timed? ?out/i.test(text)) return "timeout";
  if (NETWORK_MESSAGE_PATTERN.test(text)) return "network";
  return "unknown";
}

/** Walks `cause` links: fetch wraps socket errors (`TypeError: terminated` ← `SocketError`). */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < 5) {
    chain.push(current);
    const withCause = ErrorWithCauseSchema.safeParse(current);
    current = withCause.success ? withCause.data.cause : undefined;
  }
  return chain;
}

function isAbort(err: unknown): boolean {
  const parsed = ApiErrorSchema.safeParse(err);
  return parsed.success && (parsed.data.name === "AbortError" || parsed.data.name === "TimeoutError");
}

export interface ClassifyContext {
  provider?: string;
  model?: string;
  /** The caller's signal fired: whatever the error says, this is an abort, never retried. */
  userAborted?: boolean;
  now: number;
}

function withRef(failure: ModelFailure, ctx: ClassifyContext): ModelFailure {
  if (ctx.provider !== undefined) failure.provider = ctx.provider;
  if (ctx.model !== undefined) failure.model = ctx.model;
  return failure;
}

/** Anything thrown or streamed as an error → a ModelFailure. */
export function classifyError(err: unknown, ctx: ClassifyContext): ModelFailure {
  if (ctx.userAborted) return withRef({ kind: "aborted", message: "Aborted by the caller." }, ctx);
  if (isAbort(err))
    return withRef({ kind: "timeout", message: "The model stopped responding and the request timed out." }, ctx);
  const chain = causeChain(err);
  for (const link of chain) {
    const api = ApiErrorSchema.safeParse(link);
    // A 2xx status means the response started fine and broke later (a cut stream): the cause says why.
    if (!api.success || api.data.statusCode === undefined || api.data.statusCode < 400) continue;
    const status = api.data.statusCode;
    const message = api.data.message || api.data.responseBody || `HTTP ${status}`;
    const failure: ModelFailure = { kind: kindForStatus(status, message), message, httpStatus: status };
    const retryAfterMs = parseRetryAfter(api.data.responseHeaders, ctx.now);
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return withRef(failure, ctx);
  }
  for (const link of chain) {
    const api = ApiErrorSchema.safeParse(link);
    if (api.success && api.data.name === "AI_LoadAPIKeyError") {
      return withRef({ kind: "not_configured", message: api.data.message ?? "API key missing." }, ctx);
    }
    if (api.success && api.data.code !== undefined && NETWORK_CODES.has(api.data.code)) {
      return withRef({ kind: "network", message: `Connection to the model failed (${api.data.code}).` }, ctx);
    }
  }
  const broken = chain.find((link) => link instanceof Error && NETWORK_MESSAGE_PATTERN.test(link.message));
  if (broken instanceof Error) {
    return withRef({ kind: "network", message: `Connection to the model failed: ${broken.message}.` }, ctx);
  }
  const payload = StreamErrorPayloadSchema.safeParse(err);
  if (payload.success && !(err instanceof Error)) {
    const message = payload.data.error?.message ?? payload.data.message ?? JSON.stringify(err);
    return withRef({ kind: kindForMessage(message, payload.data.error?.type ?? payload.data.type), message }, ctx);
  }
  const message = err instanceof Error ? err.message || err.name : String(err);
  return withRef({ kind: kindForMessage(message, undefined), message }, ctx);
}

/** One line for logs and for the error a user sees. */
export function describeFailure(failure: ModelFailure): string {
  const where = failure.provider ? `${failure.provider}${failure.model ? `/${failure.model}` : ""}: ` : "";
  const status = failure.httpStatus !== undefined ? ` (HTTP ${failure.httpStatus})` : "";
  return `${where}${failure.kind}${status}: ${failure.message}`;
}
