import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CoalescedWriter } from "./index-writer.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CoalescedWriter", () => {
  it("turns a burst of changes into one write after the delay", async () => {
    const write = vi.fn(async () => {});
    const writer = new CoalescedWriter(write, 1000, () => {});
    for (let i = 0; i < 200; i++) writer.markDirty();
    expect(write).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(write).toHaveBeenCalledTimes(1);
    expect(writer.pending).toBe(false);
  });

  it("flush writes now, and writes again for changes made during a write", async () => {
    let release!: () => void;
    const states: number[] = [];
    let state = 0;
    const write = vi.fn(() => {
      states.push(state);
      return new Promise<void>((r) => {
        release = r;
      });
    });
    const writer = new CoalescedWriter(write, 1000, () => {});
    state = 1;
    writer.markDirty();
    const flushed = writer.flush();
    state = 2;
    writer.markDirty();
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await flushed;
    expect(states).toEqual([1, 2]);
    expect(writer.pending).toBe(false);
  });

  it("does nothing when clean", async () => {
    const write = vi.fn(async () => {});
    const writer = new CoalescedWriter(write, 1000, () => {});
    await writer.flush();
    expect(write).not.toHaveBeenCalled();
  });

  it("reports a failed timed write and retries it", async () => {
    let fail = true;
    const write = vi.fn(async () => {
      if (fail) throw new Error("disk full");
    });
    const errors: unknown[] = [];
    const writer = new CoalescedWriter(write, 100, (err) => errors.push(err));
    writer.markDirty();
    await vi.advanceTimersByTimeAsync(100);
    expect(errors).toHaveLength(1);
    fail = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(write).toHaveBeenCalledTimes(2);
    expect(writer.pending).toBe(false);
  });

  it("a failed flush keeps the change pending and rejects", async () => {
    const write = vi.fn(async () => {
      throw new Error("nope");
    });
    const writer = new CoalescedWriter(write, 100, () => {});
    writer.markDirty();
    await expect(writer.flush()).rejects.toThrow("nope");
    expect(writer.pending).toBe(true);
    await writer.close().catch(() => {});
  });
});
