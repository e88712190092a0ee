import { describe, expect, it } from "vitest";
import { RATE_WINDOW_MS, SlidingWindowLimiter } from "./rate-limit.js";

describe("SlidingWindowLimiter", () => {
  it("admits up to the limit in a minute, then says when the next one fits", () => {
    let now = 1_000_000;
    const limiter = new SlidingWindowLimiter(() => now);
    expect(limiter.take("v", 2)).toEqual({ ok: true });
    now += 10_000;
    expect(limiter.take("v", 2)).toEqual({ ok: true });
    now += 5_000;
    expect(limiter.take("v", 2)).toEqual({ ok: false, retryAfterMs: RATE_WINDOW_MS - 15_000 });
    now = 1_000_000 + RATE_WINDOW_MS;
    expect(limiter.take("v", 2)).toEqual({ ok: true });
  });

  it("counts each key on its own", () => {
    const limiter = new SlidingWindowLimiter(() => 0);
    expect(limiter.take("a", 1).ok).toBe(true);
    expect(limiter.take("a", 1).ok).toBe(false);
    expect(limiter.take("b", 1).ok).toBe(true);
  });

  it("does not count refused attempts against the window", () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(() => now);
    limiter.take("v", 1);
    for (let i = 0; i < 5; i++) expect(limiter.take("v", 1).ok).toBe(false);
    now = RATE_WINDOW_MS;
    expect(limiter.take("v", 1).ok).toBe(true);
  });
});
