import { describe, expect, it } from "vitest";
import { MAX_FINISHED_RUNS, RUN_RETENTION_MS, RunRegistry, runTimeoutError, timeoutOf } from "./runs.js";

describe("RunRegistry", () => {
  it("tracks a run from queued to finished and lists only active runs per session", () => {
    let now = 1_000;
    const runs = new RunRegistry(() => now);
    const a = runs.create("a", "s1", "main");
    const b = runs.create("b", "s2", "main");
    expect(a).toMatchObject({ runId: "a", status: "queued", acceptedAt: 1_000 });
    expect(runs.active().map((r) => r.runId)).toEqual(["a", "b"]);
    expect(runs.active("s1").map((r) => r.runId)).toEqual(["a"]);
    now = 1_500;
    runs.start(a);
    expect(a).toMatchObject({ status: "running", startedAt: 1_500 });
    now = 2_000;
    const outcome = runs.finish(a, { status: "ok", text: "hi" });
    expect(outcome).toEqual({ status: "ok", text: "hi", endedAt: 2_000 });
    expect(a.status).toBe("ok");
    expect(runs.active("s1")).toEqual([]);
    expect(runs.get("a")).toBe(a);
    expect(runs.get("b")).toBe(b);
  });

  it("wait resolves with the outcome, at once when already finished", async () => {
    const runs = new RunRegistry();
    const a = runs.create("a", "s", "main");
    const waiting = runs.wait(a, 60_000);
    runs.finish(a, { status: "aborted", text: "" });
    expect((await waiting)?.status).toBe("aborted");
    expect((await runs.wait(a, 0))?.status).toBe("aborted");
  });

  it("wait resolves undefined on timeout and forgets its waiter", async () => {
    const runs = new RunRegistry();
    const a = runs.create("a", "s", "main");
    expect(await runs.wait(a, 1)).toBeUndefined();
    expect(a.waiters).toHaveLength(0);
  });

  it("forgets finished runs after the retention time, never active ones", () => {
    let now = 0;
    const runs = new RunRegistry(() => now);
    const old = runs.create("old", "s", "main");
    runs.finish(old, { status: "ok", text: "" });
    const active = runs.create("active", "s", "main");
    now = RUN_RETENTION_MS + 1;
    runs.create("new", "s", "main");
    expect(runs.get("old")).toBeUndefined();
    expect(runs.get("active")).toBe(active);
  });

  it("remembers at most MAX_FINISHED_RUNS finished runs, forgetting the earliest finished first", () => {
    const runs = new RunRegistry(() => 0);
    const first = runs.create("first", "s", "main");
    const second = runs.create("second", "s", "main");
    // "second" finishes before "first": the order of finishing decides, not of creation.
    runs.finish(second, { status: "ok", text: "" });
    runs.finish(first, { status: "ok", text: "" });
    for (let i = 0; i < MAX_FINISHED_RUNS - 1; i++) {
      runs.finish(runs.create(`r${i}`, "s", "main"), { status: "ok", text: "" });
    }
    // One finished run too many: creating the next run forgets exactly one.
    const live = runs.create("live", "s", "main");
    expect(runs.get("second")).toBeUndefined();
    expect(runs.get("first")).toBe(first);
    expect(runs.get("r0")).toBeDefined();
    runs.create("next", "s", "main");
    expect(runs.get("first")).toBe(first);
    runs.finish(live, { status: "ok", text: "" });
    runs.create("after", "s", "main");
    expect(runs.get("first")).toBeUndefined();
    expect(runs.get("r0")).toBeDefined();
    expect(runs.active().map((r) => r.runId)).toEqual(["next", "after"]);
  });

  it("counts a run finished twice once, and keeps a newer run that reused a forgotten id", () => {
    let now = 0;
    const runs = new RunRegistry(() => now);
    const a = runs.create("a", "s", "main");
    runs.finish(a, { status: "ok", text: "" });
    now = RUN_RETENTION_MS + 1;
    const again = runs.create("a", "s", "main");
    expect(runs.get("a")).toBe(again);
    runs.finish(again, { status: "aborted", text: "" });
    runs.finish(again, { status: "error", text: "late" });
    now = RUN_RETENTION_MS + 2;
    runs.create("b", "s", "main");
    expect(runs.get("a")?.outcome?.status).toBe("error");
  });

  it("lists active runs oldest first across sessions, without finished ones", () => {
    const runs = new RunRegistry(() => 0);
    const ids = ["a", "b", "c", "d"];
    const made = ids.map((id, i) => runs.create(id, i % 2 ? "odd" : "even", "main"));
    runs.start(made[2]!);
    runs.finish(made[1]!, { status: "ok", text: "" });
    expect(runs.active().map((r) => r.runId)).toEqual(["a", "c", "d"]);
    expect(runs.active("odd").map((r) => r.runId)).toEqual(["d"]);
  });
});

describe("run time limits", () => {
  it("timeoutOf tells a timeout apart from a user abort", () => {
    const timedOut = new AbortController();
    timedOut.abort(runTimeoutError(5));
    expect(timeoutOf(timedOut.signal)).toBe(
      "the run took longer than 5 s (agents.defaults.timeoutSeconds) and was stopped; raise the limit or split the task",
    );
    const user = new AbortController();
    user.abort(new Error("aborted by the user"));
    expect(timeoutOf(user.signal)).toBeUndefined();
    expect(timeoutOf(new AbortController().signal)).toBeUndefined();
  });
});
