import { describe, expect, it } from "vitest";
import { classifyError, describeFailure, kindForStatus, parseRetryAfter } from "./failure.js";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const ctx = { provider: "anthropic", model: "claude-sonnet-4-6", now: NOW };

/** The fields the AI SDK's APICallError carries; classification reads fields, never the class. */
function apiError(statusCode: number, message: string, responseHeaders?: Record<string, string>) {
  return Object.assign(new Error(message), { name: "AI_APICallError", statusCode, responseHeaders });
}

describe("parseRetryAfter", () => {
  it.each<{ headers: Record<string, string> | undefined; ms: number | undefined }>([
    { headers: undefined, ms: undefined },
    { headers: {}, ms: undefined },
    { headers: { "retry-after": "7" }, ms: 7_000 },
    { headers: { "Retry-After": "1.5" }, ms: 1_500 },
    { headers: { "retry-after-ms": "250" }, ms: 250 },
    { headers: { "retry-after-ms": "250", "retry-after": "9" }, ms: 250 },
    { headers: { "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, ms: 30_000 },
    { headers: { "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }, ms: 0 },
    { headers: { "retry-after": "soon" }, ms: undefined },
    { headers: { "retry-after": "-3" }, ms: undefined },
    { headers: { "retry-after": "999999" }, ms: 60 * 60 * 1000 },
  ])("$headers → $ms", ({ headers, ms }) => {
    expect(parseRetryAfter(headers, NOW)).toBe(ms);
  });
});

describe("kindForStatus", () => {
  it.each([
    [401, "", "auth"],
    [403, "", "auth"],
    [402, "insufficient credit", "auth"],
    [429, "", "rate_limit"],
    [503, "", "overloaded"],
    [529, "", "overloaded"],
    [408, "", "timeout"],
    [504, "", "timeout"],
    [400, "prompt is too long: 210000 tokens > 200000 maximum", "context_length"],
    [400, "This model's maximum context length is 128000 tokens", "context_length"],
    [400, "messages.0: unexpected field", "bad_request"],
    [404, "model not found", "bad_request"],
    [500, "", "server_error"],
    [502, "", "server_error"],
  ] as const)("%i %s → %s", (status, message, kind) => {
    expect(kindForStatus(status, message)).toBe(kind);
  });
});

describe("classifyError", () => {
  it("reads status, message and retry-after of an API error", () => {
    expect(classifyError(apiError(429, "slow down", { "retry-after": "12" }), ctx)).toEqual({
      kind: "rate_limit",
      message: "slow down",
      httpStatus: 429,
      retryAfterMs: 12_000,
      provider: "anthropic",
      model: "claude-sonnet-4-6",
    });
  });

  it("a caller's abort wins over whatever error the abort caused", () => {
    expect(classifyError(apiError(500, "boom"), { ...ctx, userAborted: true }).kind).toBe("aborted");
  });

  it("an abort the caller did not ask for is a timeout", () => {
    const err = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(classifyError(err, ctx).kind).toBe("timeout");
  });

  it("a stream cut after a 200 is a network failure, found through the cause chain", () => {
    const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    const terminated = new TypeError("terminated", { cause: socket });
    const wrapped = Object.assign(new Error("Failed to process successful response", { cause: terminated }), {
      statusCode: 200,
    });
    expect(classifyError(wrapped, ctx)).toMatchObject({
      kind: "network",
      message: expect.stringContaining("UND_ERR_SOCKET"),
    });
    expect(classifyError(new TypeError("terminated"), ctx).kind).toBe("network");
  });

  it("a refused connection is a network failure", () => {
    const err = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    expect(classifyError(err, ctx).kind).toBe("network");
  });

  it("reads error payloads that arrive inside a 200 stream", () => {
    expect(
      classifyError({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, ctx),
    ).toMatchObject({
      kind: "overloaded",
      message: "Overloaded",
    });
    expect(classifyError({ message: "Rate limit reached for requests" }, ctx).kind).toBe("rate_limit");
  });

  it("a missing key reported by the SDK is not_configured", () => {
    const err = Object.assign(new Error("Anthropic API key is missing."), { name: "AI_LoadAPIKeyError" });
    expect(classifyError(err, ctx).kind).toBe("not_configured");
  });

  it.each([undefined, null, 42, "just a string"])("never throws on odd values (%s)", (value) => {
    expect(classifyError(value, ctx).kind).toBe("unknown");
  });
});

describe("describeFailure", () => {
  it("names where, what and the status", () => {
    expect(
      describeFailure({
        kind: "auth",
        message: "invalid x-api-key",
        httpStatus: 401,
        provider: "anthropic",
        model: "m",
      }),
    ).toBe("anthropic/m: auth (HTTP 401): invalid x-api-key");
    expect(describeFailure({ kind: "network", message: "cut" })).toBe("network: cut");
  });
});
