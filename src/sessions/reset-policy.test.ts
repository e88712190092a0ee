import { describe, expect, it } from "vitest";
import { evaluateResetPolicy, nextDailyBoundary, type ResetPolicy } from "./reset-policy.js";

/** Local wall-clock time, so the tests hold in any time zone. */
const at = (day: number, hour: number, minute = 0) => new Date(2026, 0, day, hour, minute).getTime();

describe("nextDailyBoundary", () => {
  it.each([
    [at(2, 3, 59), 4, at(2, 4)],
    [at(2, 4, 0), 4, at(3, 4)],
    [at(2, 23, 0), 4, at(3, 4)],
    [at(2, 0, 0), 0, at(3, 0)],
    [at(31, 12), 4, new Date(2026, 1, 1, 4).getTime()],
  ])("after %d at hour %d → %d", (time, hour, expected) => {
    expect(nextDailyBoundary(time, hour)).toBe(expected);
  });
});

describe("evaluateResetPolicy", () => {
  const daily: ResetPolicy = { mode: "daily", atHour: 4 };
  const cases: Array<
    [
      string,
      { sessionStartedAt?: number; lastInteractionAt?: number; updatedAt: number },
      ResetPolicy,
      number,
      string | undefined,
    ]
  > = [
    ["off never resets", { updatedAt: at(1, 0) }, { mode: "off", idleMinutes: 1 }, at(9, 0), undefined],
    [
      "daily: same day before boundary",
      { sessionStartedAt: at(2, 1), updatedAt: at(2, 1) },
      daily,
      at(2, 3, 59),
      undefined,
    ],
    ["daily: crossed the boundary", { sessionStartedAt: at(2, 1), updatedAt: at(2, 3) }, daily, at(2, 4, 0), "daily"],
    [
      "daily: started after today's boundary",
      { sessionStartedAt: at(2, 5), updatedAt: at(2, 5) },
      daily,
      at(2, 23),
      undefined,
    ],
    [
      "daily: next day after boundary",
      { sessionStartedAt: at(2, 5), updatedAt: at(2, 23) },
      daily,
      at(3, 4, 1),
      "daily",
    ],
    ["daily: falls back to updatedAt", { updatedAt: at(1, 12) }, daily, at(2, 12), "daily"],
    [
      "daily: default hour is 4",
      { sessionStartedAt: at(2, 3), updatedAt: at(2, 3) },
      { mode: "daily" },
      at(2, 4),
      "daily",
    ],
    [
      "idle: within window",
      { lastInteractionAt: at(2, 10), updatedAt: at(2, 10) },
      { mode: "idle", idleMinutes: 30 },
      at(2, 10, 30),
      undefined,
    ],
    [
      "idle: past window",
      { lastInteractionAt: at(2, 10), updatedAt: at(2, 10) },
      { mode: "idle", idleMinutes: 30 },
      at(2, 10, 31),
      "idle",
    ],
    ["idle: without idleMinutes never resets", { updatedAt: at(1, 0) }, { mode: "idle" }, at(9, 0), undefined],
    [
      "idle: system updates do not keep it alive",
      { lastInteractionAt: at(2, 10), updatedAt: at(2, 11) },
      { mode: "idle", idleMinutes: 30 },
      at(2, 11, 1),
      "idle",
    ],
    [
      "daily+idle: idle expires first",
      { sessionStartedAt: at(2, 5), lastInteractionAt: at(2, 10), updatedAt: at(2, 10) },
      { mode: "daily", atHour: 4, idleMinutes: 60 },
      at(3, 5),
      "idle",
    ],
    [
      "daily+idle: daily expires first",
      { sessionStartedAt: at(2, 3), lastInteractionAt: at(2, 3, 50), updatedAt: at(2, 3, 50) },
      { mode: "daily", atHour: 4, idleMinutes: 60 },
      at(2, 5),
      "daily",
    ],
  ];
  it.each(cases)("%s", (_name, fields, policy, now, expected) => {
    expect(evaluateResetPolicy(fields, policy, now)).toBe(expected);
  });
});
