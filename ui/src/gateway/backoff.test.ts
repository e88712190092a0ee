import { describe, expect, it } from "vitest";
import { classifyConnectError, RECONNECT_MAX_MS, reconnectDelayMs } from "./backoff.js";

describe("reconnectDelayMs", () => {
  it.each([
    [0, 0.5, 500],
    [1, 0.5, 1000],
    [3, 0.5, 4000],
    [10, 0.5, RECONNECT_MAX_MS],
    [1000, 0.5, RECONNECT_MAX_MS],
  ])("attempt %i (jitter %f) waits %i ms", (attempt, r, expected) => {
    expect(reconnectDelayMs(attempt, () => r)).toBe(expected);
  });

  it("jitters within ±25 %", () => {
    expect(reconnectDelayMs(2, () => 0)).toBe(1500);
    expect(reconnectDelayMs(2, () => 1)).toBe(2500);
  });
});

describe("classifyConnectError", () => {
  it("asks for a token on a mismatch and never retries it", () => {
    const f = classifyConnectError({
      code: "UNAUTHORIZED",
      message: "wrong gateway token",
      details: { code: "AUTH_TOKEN_MISMATCH" },
    });
    expect(f.kind).toBe("needs-token");
    expect(f.message).toMatch(/refused this token/);
  });

  it("asks for a token when none was sent", () => {
    const f = classifyConnectError({ code: "UNAUTHORIZED", message: "x", details: { code: "AUTH_PASSWORD_MISSING" } });
    expect(f).toEqual({ kind: "needs-token", message: "This gateway needs a token (or password) to connect." });
  });

  it("stops on a lockout and on a protocol mismatch", () => {
    expect(classifyConnectError({ code: "RATE_LIMITED", message: "retry in 60 s" }).kind).toBe("blocked");
    expect(
      classifyConnectError({ code: "INVALID_REQUEST", message: "v4 only", details: { code: "PROTOCOL_MISMATCH" } })
        .kind,
    ).toBe("blocked");
  });

  it("tells a visitor whose identity was refused, and stops when WebChat is disabled", () => {
    expect(
      classifyConnectError({ code: "UNAUTHORIZED", message: "x", details: { code: "AUTH_VISITOR_TOKEN_INVALID" } })
        .kind,
    ).toBe("needs-token");
    expect(
      classifyConnectError({ code: "FORBIDDEN", message: "off", details: { code: "WEBCHAT_DISABLED" } }).kind,
    ).toBe("blocked");
  });

  it("retries anything else (a gateway shutting down, an internal error)", () => {
    expect(classifyConnectError({ code: "UNAVAILABLE", message: "shutting down" })).toEqual({
      kind: "retry",
      message: "shutting down",
    });
  });
});
