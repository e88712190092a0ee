import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY, RestartBudget, restartDelayMs } from "./backoff.js";

describe("restartDelayMs", () => {
  it.each([
    [1, 0.5, 5_000],
    [2, 0.5, 10_000],
    [3, 0.5, 20_000],
    [7, 0.5, 300_000],
    [30, 0.5, 300_000],
    [1, 0, 4_000],
    [1, 0.999_999, 6_000],
    [12, 0.999_999, 300_000],
  ])("attempt %i with random %f → %i ms", (attempt, random, expected) => {
    expect(restartDelayMs(DEFAULT_RESTART_POLICY, attempt, random)).toBe(expected);
  });
});

describe("RestartBudget", () => {
  it("gives up after the consecutive-attempt cap and starts over after a success", () => {
    let now = 0;
    const budget = new RestartBudget({ ...DEFAULT_RESTART_POLICY, maxAttempts: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      now += 1000;
      expect(budget.failed(0.5)).toHaveProperty("delayMs");
    }
    expect(budget.failed(0.5)).toEqual({ giveUp: "gave up after 3 failed attempts in a row" });
    budget.succeeded();
    expect(budget.failed(0.5)).toEqual({ delayMs: 5_000 });
  });

  it("caps restarts per hour even when each attempt briefly succeeds", () => {
    let now = 0;
    const budget = new RestartBudget({ ...DEFAULT_RESTART_POLICY, maxRestartsPerHour: 2 }, () => now);
    expect(budget.failed()).toHaveProperty("delayMs");
    budget.succeeded();
    expect(budget.failed()).toHaveProperty("delayMs");
    budget.succeeded();
    expect(budget.failed()).toHaveProperty("giveUp");
    now += 3_600_001;
    budget.succeeded();
    expect(budget.failed()).toHaveProperty("delayMs");
  });
});
