import { describe, expect, it } from "vitest";
import { KeyedQueue } from "./queue.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("KeyedQueue", () => {
  it("runs jobs for one key in order, one at a time", async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const gate = deferred();
    const a = queue.run("k", async () => {
      log.push("a:start");
      await gate.promise;
      log.push("a:end");
      return 1;
    });
    const b = queue.run("k", () => {
      log.push("b");
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(["a:start"]);
    expect(queue.isBusy("k")).toBe(true);
    gate.resolve();
    expect(await a).toBe(1);
    expect(await b).toBe(2);
    expect(log).toEqual(["a:start", "a:end", "b"]);
  });

  it("runs different keys concurrently", async () => {
    const queue = new KeyedQueue();
    const gate = deferred();
    const log: string[] = [];
    const a = queue.run("a", async () => {
      await gate.promise;
      log.push("a");
    });
    await queue.run("b", () => log.push("b"));
    expect(log).toEqual(["b"]);
    gate.resolve();
    await a;
    expect(log).toEqual(["b", "a"]);
  });

  it("keeps going after a job fails, and rejects only that job", async () => {
    const queue = new KeyedQueue();
    const failing = queue.run("k", () => {
      throw new Error("boom");
    });
    const next = queue.run("k", () => "ok");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });

  it("forgets idle keys and reports idle", async () => {
    const queue = new KeyedQueue();
    const jobs = [queue.run("a", () => 1), queue.run("b", async () => 2), queue.run("a", () => 3)];
    await queue.idle();
    expect(await Promise.all(jobs)).toEqual([1, 2, 3]);
    await Promise.resolve();
    expect(queue.size).toBe(0);
    expect(queue.isBusy("a")).toBe(false);
  });
});
