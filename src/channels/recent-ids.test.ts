import { describe, expect, it } from "vitest";
import { RecentIds } from "./recent-ids.js";

describe("RecentIds", () => {
  it("reports a repeat within the TTL and forgets after it", () => {
    let now = 0;
    const ids = new RecentIds(1000, 100, () => now);
    expect(ids.add("a")).toBe(true);
    expect(ids.add("a")).toBe(false);
    now = 1500;
    expect(ids.add("a")).toBe(true);
  });

  it("stays within its size bound, dropping the oldest", () => {
    const ids = new RecentIds(60_000, 3, () => 0);
    for (const id of ["a", "b", "c", "d"]) ids.add(id);
    expect(ids.size).toBeLessThanOrEqual(3);
    expect(ids.add("d")).toBe(false);
    expect(ids.add("a")).toBe(true);
  });
});
