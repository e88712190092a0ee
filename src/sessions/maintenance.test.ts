import { describe, expect, it } from "vitest";
import { DAY_MS, planMaintenance } from "./maintenance.js";
import { newSessionEntry, type SessionEntry } from "./session-entry.js";

const now = Date.UTC(2026, 5, 1);
const rows = (spec: Array<[string, number]>) =>
  new Map<string, SessionEntry>(spec.map(([key, ageDays]) => [key, newSessionEntry(key, now - ageDays * DAY_MS)]));

describe("planMaintenance", () => {
  it.each([
    ["nothing to do", [["a", 1]], { pruneAfterDays: 30, maxEntries: 10 }, { prune: [], evict: [] }],
    [
      "prunes rows idle past the cutoff",
      [
        ["a", 31],
        ["b", 29],
      ],
      { pruneAfterDays: 30, maxEntries: 10 },
      { prune: ["a"], evict: [] },
    ],
    [
      "evicts the least recently updated beyond the cap",
      [
        ["a", 3],
        ["b", 1],
        ["c", 2],
      ],
      { pruneAfterDays: 30, maxEntries: 1 },
      { prune: [], evict: ["a", "c"] },
    ],
    [
      "caps after pruning",
      [
        ["old", 90],
        ["a", 3],
        ["b", 1],
      ],
      { pruneAfterDays: 30, maxEntries: 1 },
      { prune: ["old"], evict: ["a"] },
    ],
    ["maxEntries 0 evicts all", [["a", 1]], { pruneAfterDays: 30, maxEntries: 0 }, { prune: [], evict: ["a"] }],
  ] as const)("%s", (_name, spec, opts, expected) => {
    expect(planMaintenance(rows(spec.map(([k, d]) => [k, d])), opts, now)).toEqual(expected);
  });
});
