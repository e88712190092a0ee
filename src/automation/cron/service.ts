import { randomBytes } from "node:crypto";
import { PincerError } from "../../errors.js";
import type { Logger } from "../../logging/logger.js";
import type { CronConfig } from "./config-schema.js";
import type { CronAdd, CronJob, CronPatch, CronRunEntry } from "./job-schema.js";
import { type JobRunDeps, runJob } from "./run-job.js";
import { loadCroner, nextRunAfter, parseAt, validateSchedule } from "./schedule.js";
import { CronStore } from "./store.js";

export interface CronServiceDeps {
  /** The cron folder: jobs.json and runs/. */
  dir: string;
  config: () => CronConfig;
  /** What a run needs; undefined while the agent runtime is not up (due jobs then wait). */
  runDeps: () => JobRunDeps | undefined;
  log: Logger;
  /** Broadcasts a `cron` event to connected clients. */
  emit: (payload: Record<string, unknown>) => void;
  now?: () => number;
}

type Trigger = NonNullable<CronRunEntry["trigger"]>;

/** The timer never sleeps longer than this, so clock jumps and config changes are noticed within a minute. */
const MAX_TIMER_MS = 60_000;

/**
 * The scheduler: keeps jobs.json, fires due jobs (one run per job at a time), retries failures with backoff,
 * records every run in runs/<jobId>.jsonl and catches up on runs missed while the gateway was down.
 */
export class CronService {
  private jobs: CronJob[] = [];
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When this process started the scheduler: a run due before it was missed during downtime. */
  private startedAt = 0;
  /** Serializes changes to `jobs` and their saves, so concurrent adds and run results never lose a write. */
  private chain: Promise<unknown> = Promise.resolve();
  readonly store: CronStore;
  private readonly now: () => number;

  constructor(private readonly deps: CronServiceDeps) {
    this.store = new CronStore(deps.dir, deps.log);
    this.now = deps.now ?? Date.now;
  }

  /** Loads the jobs, settles runs missed during downtime by policy (cron.skipMissedJobs), and arms the timer. */
  async start(): Promise<void> {
    this.startedAt = this.now();
    this.jobs = await this.store.load();
    if (this.jobs.some((j) => j.schedule.kind === "cron")) await loadCroner();
    const now = this.now();
    const skip = this.deps.config().skipMissedJobs;
    const skipped: CronJob[] = [];
    for (const job of this.jobs) {
      job.state.runningAtMs = undefined;
      if (!job.enabled) continue;
      const due = job.state.nextRunAtMs ?? this.firstRun(job, now);
      if (due !== undefined && due <= now && job.schedule.kind !== "at" && skip) {
        skipped.push(job);
        job.state.nextRunAtMs = this.safeNext(job, now);
      } else {
        // A missed run stays due: the first tick runs it once, then the schedule goes on from now.
        job.state.nextRunAtMs = due;
      }
    }
    await this.store.save(this.jobs);
    for (const job of skipped) {
      await this.store.appendRun({
        ts: now,
        jobId: job.id,
        action: "finished",
        status: "skipped",
        summary: "missed while the gateway was down; skipped (cron.skipMissedJobs)",
        trigger: "catch-up",
        ...(job.state.nextRunAtMs !== undefined ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
      });
    }
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  list(opts: { includeDisabled?: boolean; agentId?: string } = {}): CronJob[] {
    return this.jobs
      .filter((j) => (opts.includeDisabled ?? true) || j.enabled)
      .filter((j) => !opts.agentId || (j.agentId ?? "main") === opts.agentId)
      .sort((a, b) => (a.state.nextRunAtMs ?? Infinity) - (b.state.nextRunAtMs ?? Infinity));
  }

  get(id: string): CronJob {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) {
      throw new PincerError("NOT_FOUND", `no cron job "${id}" (cron.list shows the ids)`, {
        details: { code: "CRON_JOB_NOT_FOUND", jobId: id },
      });
    }
    return job;
  }

  status() {
    const enabled = this.jobs.filter((j) => j.enabled);
    const next = enabled.map((j) => j.state.nextRunAtMs).filter((t): t is number => t !== undefined);
    return {
      enabled: this.deps.config().enabled,
      storePath: this.store.file,
      jobs: this.jobs.length,
      enabledJobs: enabled.length,
      running: [...this.running],
      nextWakeAtMs: next.length > 0 ? Math.min(...next) : null,
    };
  }

  add(input: CronAdd): Promise<CronJob> {
    return this.mutate(async () => {
      checkShape(input);
      await validateSchedule(input.schedule);
      const now = this.now();
      checkNotPast(input.schedule, now);
      const { agentId, ...rest } = input;
      const job: CronJob = {
        ...rest,
        id: newJobId(),
        ...(agentId ? { agentId } : {}),
        deleteAfterRun: input.deleteAfterRun ?? input.schedule.kind === "at",
        createdAtMs: now,
        updatedAtMs: now,
        state: {},
      };
      if (job.enabled) job.state.nextRunAtMs = this.firstRun(job, now);
      this.jobs.push(job);
      await this.store.save(this.jobs);
      this.deps.emit({ action: "added", jobId: job.id, nextRunAtMs: job.state.nextRunAtMs ?? null });
      return job;
    });
  }

  update(id: string, patch: CronPatch): Promise<CronJob> {
    return this.mutate(async () => {
      const job = this.get(id);
      const next: CronJob = { ...job, state: { ...job.state } };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete (next as Record<string, unknown>)[key];
        else (next as Record<string, unknown>)[key] = value;
      }
      checkShape(next);
      if (patch.schedule) await validateSchedule(patch.schedule);
      const now = this.now();
      if (patch.schedule) checkNotPast(patch.schedule, now);
      next.updatedAtMs = now;
      if (patch.schedule || patch.enabled !== undefined) {
        next.state.nextRunAtMs = next.enabled ? this.firstRun(next, now) : undefined;
        if (patch.enabled) next.state.consecutiveErrors = 0;
      }
      this.jobs[this.jobs.indexOf(job)] = next;
      await this.store.save(this.jobs);
      this.deps.emit({ action: "updated", jobId: id, nextRunAtMs: next.state.nextRunAtMs ?? null });
      return next;
    });
  }

  remove(id: string): Promise<{ ok: true; removed: boolean }> {
    return this.mutate(async () => {
      const index = this.jobs.findIndex((j) => j.id === id);
      if (index < 0) return { ok: true as const, removed: false };
      this.jobs.splice(index, 1);
      await this.store.save(this.jobs);
      this.deps.emit({ action: "removed", jobId: id });
      return { ok: true as const, removed: true };
    });
  }

  /** cron.run: "force" (default) runs now whatever the state; "due" only when the job is due. */
  async run(
    id: string,
    mode: "force" | "due" | "if-enabled" = "force",
  ): Promise<{ ok: boolean; ran: boolean; runId?: string; reason?: string }> {
    const job = this.get(id);
    if (this.running.has(id)) return { ok: true, ran: false, reason: "already-running" };
    if (mode === "if-enabled" && !job.enabled) return { ok: true, ran: false, reason: "disabled" };
    if (mode === "due" && !(job.enabled && (job.state.nextRunAtMs ?? Infinity) <= this.now())) {
      return { ok: true, ran: false, reason: "not-due" };
    }
    const runId = this.startRun(job, "manual");
    return runId
      ? { ok: true, ran: true, runId }
      : { ok: false, ran: false, reason: "the agent runtime is not running" };
  }

  runs(id: string, limit = 50, offset = 0) {
    return this.store.runs(id, limit, offset);
  }

  /** Resolves when no run is in flight (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
    await this.chain;
  }

  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn);
    this.chain = result.catch(() => {});
    return result.finally(() => this.arm());
  }

  private firstRun(job: CronJob, now: number): number | undefined {
    // A one-shot whose time passed before it ever ran is due now: it was missed, not done.
    if (job.schedule.kind === "at" && job.state.lastRunAtMs === undefined) return parseAt(job.schedule.at);
    return this.safeNext(job, now);
  }

  private safeNext(job: CronJob, after: number): number | undefined {
    try {
      return nextRunAfter(job.schedule, after, job);
    } catch (err) {
      this.deps.log.warn({ jobId: job.id, err: (err as Error).message }, "cron job has no next run");
      return undefined;
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const next = this.jobs
      .filter((j) => j.enabled && !this.running.has(j.id))
      .map((j) => j.state.nextRunAtMs)
      .filter((t): t is number => t !== undefined);
    if (next.length === 0) return;
    const delay = Math.max(0, Math.min(Math.min(...next) - this.now(), MAX_TIMER_MS));
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.deps.config().enabled) {
      const now = this.now();
      for (const job of this.jobs) {
        if (!job.enabled || this.running.has(job.id)) continue;
        const due = job.state.nextRunAtMs;
        if (due === undefined || due > now) continue;
        const trigger: Trigger =
          (job.state.consecutiveErrors ?? 0) > 0 ? "retry" : due < this.startedAt ? "catch-up" : "schedule";
        this.startRun(job, trigger);
      }
    }
    this.arm();
  }

  /** Starts one run in the background; returns its id, or undefined when runs cannot start yet. */
  private startRun(job: CronJob, trigger: Trigger): string | undefined {
    const runDeps = this.deps.runDeps();
    if (!runDeps) return undefined;
    const runId = `cron-${job.id}-${randomBytes(6).toString("hex")}`;
    const startedAt = this.now();
    this.running.add(job.id);
    job.state.runningAtMs = startedAt;
    this.deps.emit({ action: "started", jobId: job.id, runId, trigger });
    void runJob(runDeps, job, runId)
      .catch((err): Awaited<ReturnType<typeof runJob>> => ({ status: "error", error: String(err) }))
      .then((result) => this.mutate(() => this.finishRun(job.id, runId, trigger, startedAt, result)))
      .catch((err) => this.deps.log.error({ err, jobId: job.id }, "recording a cron run failed"))
      .finally(() => {
        this.running.delete(job.id);
        this.arm();
      });
    return runId;
  }

  private async finishRun(
    jobId: string,
    runId: string,
    trigger: Trigger,
    startedAt: number,
    result: Awaited<ReturnType<typeof runJob>>,
  ): Promise<void> {
    const now = this.now();
    const job = this.jobs.find((j) => j.id === jobId);
    const attempt = (job?.state.consecutiveErrors ?? 0) + 1;
    let removed = false;
    if (job) {
      const state = job.state;
      state.runningAtMs = undefined;
      state.lastRunAtMs = startedAt;
      state.lastRunStatus = result.status;
      state.lastDurationMs = now - startedAt;
      if (result.deliveryStatus) state.lastDeliveryStatus = result.deliveryStatus;
      const config = this.deps.config();
      if (result.status === "ok") {
        state.consecutiveErrors = 0;
        state.lastError = undefined;
        if (job.schedule.kind === "at") {
          if (job.deleteAfterRun) removed = true;
          else {
            job.enabled = false;
            state.nextRunAtMs = undefined;
          }
        } else if (trigger !== "manual" || (state.nextRunAtMs ?? 0) <= now) {
          state.nextRunAtMs = this.safeNext(job, now);
        }
      } else {
        const errors = (state.consecutiveErrors ?? 0) + 1;
        state.consecutiveErrors = errors;
        state.lastError = result.error;
        const backoff = config.retryBackoffMs[Math.min(errors - 1, config.retryBackoffMs.length - 1)]!;
        if (job.schedule.kind === "at") {
          if (errors <= config.maxOneShotRetries) state.nextRunAtMs = now + backoff;
          else {
            // Out of retries: the failure is recorded and the job stays, disabled, for someone to look at.
            job.enabled = false;
            state.nextRunAtMs = undefined;
          }
        } else {
          state.nextRunAtMs = Math.max(this.safeNext(job, now) ?? now + backoff, now + backoff);
        }
      }
      if (removed) this.jobs.splice(this.jobs.indexOf(job), 1);
      await this.store.save(this.jobs);
    }
    const entry: CronRunEntry = {
      ts: now,
      jobId,
      action: "finished",
      runId,
      status: result.status,
      durationMs: now - startedAt,
      attempt,
      trigger,
      ...(result.error ? { error: result.error } : {}),
      ...(result.summary ? { summary: result.summary } : {}),
      ...(result.sessionKey ? { sessionKey: result.sessionKey } : {}),
      ...(result.deliveryStatus ? { deliveryStatus: result.deliveryStatus } : {}),
      ...(result.deliveryError ? { deliveryError: result.deliveryError } : {}),
      ...(job?.state.nextRunAtMs !== undefined && !removed ? { nextRunAtMs: job.state.nextRunAtMs } : {}),
    };
    await this.store.appendRun(entry);
    this.deps.emit({ ...entry, action: "finished", ...(removed ? { removed: true } : {}) });
  }
}

/** Pairings that make sense: system events go to the main session. */
function checkShape(job: { sessionTarget: string; payload: { kind: string } }): void {
  if (job.sessionTarget === "isolated" && job.payload.kind === "systemEvent") {
    throw new PincerError(
      "INVALID_REQUEST",
      'a systemEvent payload goes to the main session: use sessionTarget "main", or an agentTurn payload for an isolated session',
    );
  }
}

/** Clock skew allowed for a one-shot time "now": a little in the past still runs at once. */
const PAST_AT_TOLERANCE_MS = 60_000;

function checkNotPast(schedule: CronJob["schedule"], now: number): void {
  if (schedule.kind === "at" && parseAt(schedule.at) < now - PAST_AT_TOLERANCE_MS) {
    throw new PincerError("INVALID_REQUEST", `schedule.at ${schedule.at} is in the past; give a future time`);
  }
}

function newJobId(): string {
  return randomBytes(8).toString("hex");
}
