import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../config/schema.js";
import {
  AuthFailureLimiter,
  assertBindAllowed,
  isLoopbackHost,
  resolveAuth,
  resolveBindHost,
  secretsEqual,
} from "./auth.js";

const config = (auth: Record<string, unknown>) => PincerConfigSchema.parse({ gateway: { auth } });

describe("resolveAuth", () => {
  it.each([
    [{}, {}, { mode: "none" }],
    [{ token: "t" }, {}, { mode: "token", secret: "t" }],
    [{ password: "p" }, {}, { mode: "password", secret: "p" }],
    [{}, { PINCER_GATEWAY_TOKEN: "envt" }, { mode: "token", secret: "envt" }],
    [{ mode: "none", token: "t" }, {}, { mode: "none" }],
  ])("config %j env %j → %j", (auth, env, expected) => {
    expect(resolveAuth(config(auth), env)).toEqual(expected);
  });

  it("token mode without a token names what to set", () => {
    expect(() => resolveAuth(config({ mode: "token" }), {})).toThrow(/gateway\.auth\.token or PINCER_GATEWAY_TOKEN/);
  });
});

describe("bind", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.1", true],
    ["::1", true],
    ["[::1]", true],
    ["localhost", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["192.168.1.5", false],
    ["::", false],
  ])("isLoopbackHost(%s) = %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("maps bind names", () => {
    expect(resolveBindHost("loopback")).toBe("127.0.0.1");
    expect(resolveBindHost("lan")).toBe("0.0.0.0");
    expect(resolveBindHost("10.0.0.2")).toBe("10.0.0.2");
  });

  it("refuses a non-loopback bind without auth and allows it with a token", () => {
    expect(() => assertBindAllowed("0.0.0.0", { mode: "none" })).toThrow(/without auth/);
    expect(() => assertBindAllowed("0.0.0.0", { mode: "token", secret: "x" })).not.toThrow();
    expect(() => assertBindAllowed("127.0.0.1", { mode: "none" })).not.toThrow();
  });
});

describe("secretsEqual", () => {
  it("compares whole secrets of any length", () => {
    expect(secretsEqual("abc", "abc")).toBe(true);
    expect(secretsEqual("abc", "abd")).toBe(false);
    expect(secretsEqual("ab", "abc")).toBe(false);
    expect(secretsEqual("", "abc")).toBe(false);
  });
});

describe("AuthFailureLimiter", () => {
  it("locks an address out after maxFailures and releases it after lockoutMs", () => {
    let now = 1_000;
    const limiter = new AuthFailureLimiter(3, 60_000, () => now);
    limiter.recordFailure("a");
    limiter.recordFailure("a");
    expect(limiter.lockedFor("a")).toBe(0);
    limiter.recordFailure("a");
    expect(limiter.lockedFor("a")).toBe(60_000);
    expect(limiter.lockedFor("b")).toBe(0);
    now += 60_001;
    expect(limiter.lockedFor("a")).toBe(0);
  });

  it("forgets failures after a success", () => {
    const limiter = new AuthFailureLimiter(2, 1_000, () => 0);
    limiter.recordFailure("a");
    limiter.recordSuccess("a");
    limiter.recordFailure("a");
    expect(limiter.lockedFor("a")).toBe(0);
  });

  it("forgets expired addresses so one-off failures from many addresses do not pile up", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(3, 1_000, () => now);
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.tracked).toBe(10_000);
    now = 5_000;
    limiter.recordFailure("fresh");
    expect(limiter.tracked).toBe(1);
  });
});
