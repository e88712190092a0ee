import { PincerError } from "../errors.js";
import type { Usage } from "../sessions/messages.js";

export type RunStatus = "queued" | "running" | "ok" | "error" | "aborted";

export interface RunOutcome {
  status: Exclude<RunStatus, "queued" | "running">;
  text: string;
  usage?: Usage;
  error?: { kind: string; message: string };
  endedAt: number;
}

export interface RunRecord {
  runId: string;
  sessionKey: string;
  agentId: string;
  status: RunStatus;
  acceptedAt: number;
  startedAt?: number;
  controller: AbortController;
  outcome?: RunOutcome;
  waiters: ((outcome: RunOutcome) => void)[];
}

/** Finished runs are remembered this long so a retried chat.send (same idempotencyKey) never runs twice. */
export const RUN_RETENTION_MS = 15 * 60_000;
/** Upper bound on remembered finished runs, whatever their age. */
export const MAX_FINISHED_RUNS = 5_000;

/**
 * Runs by id. The run id is the client's idempotency key (as in OpenClaw), so a duplicate send finds the
 * run it already started instead of starting another. Every operation on the turn path is O(1) in the
 * number of remembered runs (up to MAX_FINISHED_RUNS of them): active runs and finished runs are kept in
 * their own insertion-ordered collections, so neither listing nor forgetting scans the whole registry.
 */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();
  /** Queued or running, oldest first. */
  private readonly activeRuns = new Set<RunRecord>();
  /** Finished runs in the order they finished (so oldest `endedAt` first); the live part starts at `head`. */
  /** Finished runs, oldest first from `head`; passed slots are cleared so a forgotten run can be collected. */
  private finishedOrder: (RunRecord | undefined)[] = [];
  private head = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  create(runId: string, sessionKey: string, agentId: string): RunRecord {
    this.prune();
    const run: RunRecord = {
      runId,
      sessionKey,
      agentId,
      status: "queued",
      acceptedAt: this.now(),
      controller: new AbortController(),
      waiters: [],
    };
    this.runs.set(runId, run);
    this.activeRuns.add(run);
    return run;
  }

  start(run: RunRecord): void {
    run.status = "running";
    run.startedAt = this.now();
  }

  finish(run: RunRecord, outcome: Omit<RunOutcome, "endedAt">): RunOutcome {
    const full: RunOutcome = { ...outcome, endedAt: this.now() };
    const firstFinish = run.outcome === undefined;
    run.status = full.status;
    run.outcome = full;
    this.activeRuns.delete(run);
    if (firstFinish) this.finishedOrder.push(run);
    for (const w of run.waiters.splice(0)) w(full);
    return full;
  }

  /** Active (queued or running) runs of a session, oldest first. */
  active(sessionKey?: string): RunRecord[] {
    const out: RunRecord[] = [];
    for (const r of this.activeRuns) if (sessionKey === undefined || r.sessionKey === sessionKey) out.push(r);
    return out;
  }

  /** Resolves with the outcome, or undefined when `timeoutMs` passes first. */
  wait(run: RunRecord, timeoutMs: number): Promise<RunOutcome | undefined> {
    if (run.outcome) return Promise.resolve(run.outcome);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        run.waiters = run.waiters.filter((w) => w !== done);
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
      const done = (o: RunOutcome) => {
        clearTimeout(timer);
        resolve(o);
      };
      run.waiters.push(done);
    });
  }

  /** Forgets finished runs past the retention time, and the oldest beyond MAX_FINISHED_RUNS. */
  private prune(): void {
    const cutoff = this.now() - RUN_RETENTION_MS;
    while (this.head < this.finishedOrder.length) {
      const oldest = this.finishedOrder[this.head] as RunRecord;
      const finished = this.finishedOrder.length - this.head;
      if (!((oldest.outcome?.endedAt ?? 0) < cutoff || finished > MAX_FINISHED_RUNS)) break;
      // The id may have been taken by a newer run since (a client reusing a key after it was forgotten).
      if (this.runs.get(oldest.runId) === oldest) this.runs.delete(oldest.runId);
      this.finishedOrder[this.head] = undefined;
      this.head += 1;
    }
    // Drop the consumed front of the queue once it is most of the array (amortised O(1) per run).
    if (this.head > 1024 && this.head * 2 > this.finishedOrder.length) {
      this.finishedOrder = this.finishedOrder.slice(this.head);
      this.head = 0;
    }
  }
}

const RUN_TIMEOUT_CODE = "RUN_TIMEOUT";

/**
 * The abort reason of a run stopped by its time limit: agents.defaults.timeoutSeconds, or the caller's own
 * `timeoutMs` (chat.send, agent) when it asked for less.
 */
export function runTimeoutError(seconds: number, requestedMs?: number): PincerError {
  return new PincerError(
    RUN_TIMEOUT_CODE,
    requestedMs !== undefined
      ? `the run took longer than the ${requestedMs} ms the request allowed (timeoutMs) and was stopped`
      : `the run took longer than ${seconds} s (agents.defaults.timeoutSeconds) and was stopped; raise the limit or split the task`,
  );
}

/** The message when `signal` fired because the run hit its time limit, else undefined. */
export function timeoutOf(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return reason instanceof PincerError && reason.code === RUN_TIMEOUT_CODE ? reason.message : undefined;
}
