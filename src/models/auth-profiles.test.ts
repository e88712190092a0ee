import { describe, expect, it } from "vitest";
import {
  AUTH_FAILURE_COOLDOWN_MS,
  AuthProfiles,
  RATE_LIMIT_MAX_COOLDOWN_MS,
  rateLimitCooldownMs,
  redactKey,
} from "./auth-profiles.js";
import type { ModelFailure } from "./failure.js";

const rateLimited: ModelFailure = { kind: "rate_limit", message: "429", httpStatus: 429 };

describe("rateLimitCooldownMs", () => {
  it.each([
    [1, undefined, 30_000],
    [2, undefined, 60_000],
    [3, undefined, 120_000],
    [7, undefined, 1_920_000],
    [8, undefined, RATE_LIMIT_MAX_COOLDOWN_MS],
    [500, undefined, RATE_LIMIT_MAX_COOLDOWN_MS],
    [3, 5_000, 5_000],
    [1, 0, 0],
    [1, 10 * RATE_LIMIT_MAX_COOLDOWN_MS, RATE_LIMIT_MAX_COOLDOWN_MS],
  ])("attempt %i with retry-after %s → %i ms", (n, retryAfter, ms) => {
    expect(rateLimitCooldownMs(n, retryAfter)).toBe(ms);
  });
});

describe("AuthProfiles", () => {
  function setup() {
    let clock = 1_000_000;
    const profiles = new AuthProfiles(() => clock);
    return { profiles, advance: (ms: number) => (clock += ms), now: () => clock };
  }

  it("a fresh key is available", () => {
    expect(setup().profiles.health("anthropic", "k")).toEqual({ available: true });
  });

  it("rate limits back off exponentially and a success resets the backoff", () => {
    const { profiles, advance, now } = setup();
    profiles.recordFailure("anthropic", "k", rateLimited);
    expect(profiles.health("anthropic", "k")).toMatchObject({
      available: false,
      until: now() + 30_000,
      reason: "cooldown",
    });
    advance(30_000);
    expect(profiles.health("anthropic", "k").available).toBe(true);
    profiles.recordFailure("anthropic", "k", rateLimited);
    expect(profiles.health("anthropic", "k").until).toBe(now() + 60_000);
    advance(60_000);
    profiles.recordSuccess("anthropic", "k");
    profiles.recordFailure("anthropic", "k", { ...rateLimited, kind: "overloaded" });
    expect(profiles.health("anthropic", "k").until).toBe(now() + 30_000);
  });

  it("honours retry-after", () => {
    const { profiles, now } = setup();
    profiles.recordFailure("openai", "k", { ...rateLimited, retryAfterMs: 7_000 });
    expect(profiles.health("openai", "k").until).toBe(now() + 7_000);
  });

  it("an auth failure locks the key out for a long time", () => {
    const { profiles, advance, now } = setup();
    profiles.recordFailure("anthropic", "bad", { kind: "auth", message: "invalid x-api-key", httpStatus: 401 });
    expect(profiles.health("anthropic", "bad")).toMatchObject({
      available: false,
      reason: "auth-failed",
      until: now() + AUTH_FAILURE_COOLDOWN_MS,
    });
    advance(AUTH_FAILURE_COOLDOWN_MS - 1);
    expect(profiles.health("anthropic", "bad").available).toBe(false);
    expect(profiles.health("anthropic", "good").available).toBe(true);
  });

  it("failures that are not the key's fault cost no cooldown but are remembered", () => {
    const { profiles } = setup();
    const failure: ModelFailure = { kind: "unknown", message: "500", httpStatus: 500 };
    profiles.recordFailure("anthropic", "k", failure);
    expect(profiles.health("anthropic", "k")).toEqual({ available: true, lastError: failure });
  });

  it("reset clears one provider or all; retain drops keys no longer configured", () => {
    const { profiles } = setup();
    profiles.recordFailure("anthropic", "a", rateLimited);
    profiles.recordFailure("openai", "o", rateLimited);
    profiles.reset("anthropic");
    expect(profiles.health("anthropic", "a").available).toBe(true);
    expect(profiles.health("openai", "o").available).toBe(false);
    profiles.retain(new Map([["openai", ["other"]]]));
    expect(profiles.health("openai", "o").available).toBe(true);
    profiles.recordFailure("openai", "o", rateLimited);
    profiles.reset();
    expect(profiles.health("openai", "o").available).toBe(true);
  });

  it("keyless providers have one profile", () => {
    const { profiles } = setup();
    profiles.recordFailure("ollama", undefined, rateLimited);
    expect(profiles.health("ollama", undefined).available).toBe(false);
  });
});

describe("redactKey", () => {
  it.each([
    ["sk-ant-api03-abcdefghijklmnop", "…mnop"],
    ["short", "…"],
    ["", "(none)"],
    [undefined, "(none)"],
  ])("%s → %s", (key, out) => {
    expect(redactKey(key)).toBe(out);
  });
});
