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
const MAX_FINISHED_RUNS = 5_000;

/**
 * Runs by id. The run id is the client's idempotency key (as in OpenClaw), so a duplicate send finds the
 * run it already started instead of starting another.
 */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();

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
    return run;
  }

  start(run: RunRecord): void {
    run.status = "running";
    run.startedAt = this.now();
  }

  finish(run: RunRecord, outcome: Omit<RunOutcome, "endedAt">): RunOutcome {
    const full: RunOutcome = { ...outcome, endedAt: this.now() };
    run.status = full.status;
    run.outcome = full;
    for (const w of run.waiters.splice(0)) w(full);
    return full;
  }

  /** Active (queued or running) runs of a session, oldest first. */
  active(sessionKey?: string): RunRecord[] {
    return [...this.runs.values()].filter(
      (r) =>
        (r.status === "queued" || r.status === "running") && (sessionKey === undefined || r.sessionKey === sessionKey),
    );
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

  private prune(): void {
    const cutoff = this.now() - RUN_RETENTION_MS;
    let finished = 0;
    for (const run of this.runs.values()) if (run.outcome) finished += 1;
    for (const [id, run] of this.runs) {
      if (!run.outcome) continue;
      if (run.outcome.endedAt < cutoff || finished > MAX_FINISHED_RUNS) {
        this.runs.delete(id);
        finished -= 1;
      }
    }
  }
}

const RUN_TIMEOUT_CODE = "RUN_TIMEOUT";

/** The abort reason of a run stopped by agents.defaults.timeoutSeconds. */
export function runTimeoutError(seconds: number): PincerError {
  return new PincerError(
    RUN_TIMEOUT_CODE,
    `the run took longer than ${seconds} s (agents.defaults.timeoutSeconds) and was stopped; raise the limit or split the task`,
  );
}

/** The message when `signal` fired because the run hit its time limit, else undefined. */
export function timeoutOf(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return reason instanceof PincerError && reason.code === RUN_TIMEOUT_CODE ? reason.message : undefined;
}
