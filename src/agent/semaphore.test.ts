import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

describe("Semaphore", () => {
  it("admits up to the limit, then hands slots over in FIFO order", async () => {
    const sem = new Semaphore(2);
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    expect(sem.inFlight).toBe(2);
    const order: number[] = [];
    const w3 = sem.acquire().then((r) => {
      order.push(3);
      return r;
    });
    const w4 = sem.acquire().then((r) => {
      order.push(4);
      return r;
    });
    expect(sem.queued).toBe(2);
    r1();
    const r3 = await w3;
    expect(sem.inFlight).toBe(2);
    r2();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(sem.inFlight).toBe(0);
    expect(sem.queued).toBe(0);
  });

  it("a release is idempotent", async () => {
    const sem = new Semaphore(1);
    const r = await sem.acquire();
    r();
    r();
    expect(sem.inFlight).toBe(0);
    const again = await sem.acquire();
    expect(sem.inFlight).toBe(1);
    again();
  });

  it("a waiter whose signal fires leaves the queue with the signal's reason", async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const waiting = sem.acquire(controller.signal);
    expect(sem.queued).toBe(1);
    controller.abort(new Error("user gave up"));
    await expect(waiting).rejects.toThrow("user gave up");
    expect(sem.queued).toBe(0);
    held();
    expect(sem.inFlight).toBe(0);
  });

  it("raising the limit admits waiters; lowering it lets running holders finish", async () => {
    const sem = new Semaphore(1);
    const a = await sem.acquire();
    const waiting = sem.acquire();
    sem.setLimit(2);
    const b = await waiting;
    expect(sem.inFlight).toBe(2);
    sem.setLimit(1);
    const c = sem.acquire();
    a();
    expect(sem.inFlight).toBe(1);
    b();
    const released = await c;
    expect(sem.inFlight).toBe(1);
    released();
    expect(sem.inFlight).toBe(0);
  });
});
