import { createHash } from "node:crypto";
import { z } from "zod";
import type { CronJob } from "../../automation/cron/job-schema.js";
import { PincerError } from "../../errors.js";
import type { GatewayServices } from "../services.js";
import type { MethodDef } from "./types.js";
import { defineMethod } from "./types.js";

/**
 * cron.list / status / get / add / update / remove / run / runs, with OpenClaw's param shapes (CronListParams,
 * CronAddParams …) for the schedule kinds and payloads Pincer runs. The job schemas load with the scheduler,
 * on first use, so a gateway without jobs never loads them.
 */
async function cronOf(services: GatewayServices) {
  if (!services.automation) {
    throw new PincerError("UNAVAILABLE", "automation is not running yet; retry in a moment", { retryable: true });
  }
  return services.automation.cron();
}

async function schemas() {
  return import("../../automation/cron/job-schema.js");
}

/** Validates `value` with a job schema loaded on demand; INVALID_REQUEST names the field. */
async function parseWith<T>(
  pick: (s: Awaited<ReturnType<typeof schemas>>) => z.ZodType<T>,
  value: unknown,
  prefix: string,
) {
  const schema = pick(await schemas());
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { formatIssues } = await import("../protocol/frames.js");
    throw new PincerError("INVALID_REQUEST", formatIssues(parsed.error, prefix));
  }
  return parsed.data;
}

/**
 * OpenClaw's wire form of "no such job": INVALID_REQUEST whose message starts "cron job not found: <id>" with
 * CronJobNotFoundErrorDetails. OpenClaw's CLI probes cron.get to tell a job id from a name and needs this form.
 */
function asWireNotFound(err: unknown): never {
  if (err instanceof PincerError && err.code === "NOT_FOUND") {
    const details = err.details as { code?: unknown; jobId?: unknown } | undefined;
    if (details?.code === "CRON_JOB_NOT_FOUND" && typeof details.jobId === "string") {
      throw new PincerError(
        "INVALID_REQUEST",
        `cron job not found: ${details.jobId}. List automations (cron.list) and retry with a current job id.`,
        { details: { code: "CRON_JOB_NOT_FOUND", jobId: details.jobId } },
      );
    }
  }
  throw err;
}

/** Runs a job operation, turning the scheduler's not-found into the wire form above. */
async function onJob<T>(op: () => T | Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    asWireNotFound(err);
  }
}

/**
 * A revision of the whole inventory: changes whenever a job is added, removed, edited, or rescheduled (which
 * reorders the list). OpenClaw's CLI reads cron.list page by page and restarts when the revision moves.
 */
export function inventoryRevision(jobs: readonly CronJob[]): string {
  const hash = createHash("sha256");
  for (const j of jobs) hash.update(`${j.id}:${j.updatedAtMs}:${j.enabled}:${j.state.nextRunAtMs ?? ""}\n`);
  return `jobs-${jobs.length}-${hash.digest("hex").slice(0, 16)}`;
}

const JobRef = z.looseObject({ id: z.string().min(1).optional(), jobId: z.string().min(1).optional() });
const idOf = (p: { id?: string | undefined; jobId?: string | undefined }) => {
  const id = p.id ?? p.jobId;
  if (!id) throw new PincerError("INVALID_REQUEST", "params.id (or params.jobId) is required");
  return id;
};

export const cronListMethod = defineMethod({
  name: "cron.list",
  scope: "operator.read",
  params: z.looseObject({
    includeDisabled: z.boolean().optional(),
    enabled: z.enum(["all", "enabled", "disabled"]).optional(),
    agentId: z.string().min(1).optional(),
    limit: z.int().min(1).max(200).optional(),
    offset: z.int().min(0).optional(),
    query: z.string().optional(),
  }),
  handler: async (p, { services }) => {
    const cron = await cronOf(services);
    let jobs = cron.list({ ...(p.agentId ? { agentId: p.agentId } : {}) });
    if (p.includeDisabled === false || p.enabled === "enabled") jobs = jobs.filter((j) => j.enabled);
    if (p.enabled === "disabled") jobs = jobs.filter((j) => !j.enabled);
    if (p.query) {
      const q = p.query.toLowerCase();
      jobs = jobs.filter((j) => `${j.name} ${j.description ?? ""}`.toLowerCase().includes(q));
    }
    const offset = p.offset ?? 0;
    const limit = p.limit ?? 200;
    const page = jobs.slice(offset, offset + limit);
    const hasMore = offset + page.length < jobs.length;
    // The canonical page OpenClaw's CLI checks: every metadata field present, nextOffset null on the last page.
    return {
      jobs: page,
      total: jobs.length,
      offset,
      limit,
      hasMore,
      nextOffset: hasMore ? offset + page.length : null,
      snapshotRevision: inventoryRevision(cron.list()),
    };
  },
});

export const cronStatusMethod = defineMethod({
  name: "cron.status",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: async (_p, { services }) => (await cronOf(services)).status(),
});

export const cronGetMethod = defineMethod({
  name: "cron.get",
  scope: "operator.read",
  params: JobRef,
  handler: async (p, { services }) => {
    const cron = await cronOf(services);
    return onJob(() => cron.get(idOf(p)));
  },
});

export const cronAddMethod = defineMethod({
  name: "cron.add",
  scope: "operator.admin",
  params: z.looseObject({}),
  handler: async (p, { services }) => {
    const input = await parseWith((s) => s.CronAddSchema, p, "params");
    return (await cronOf(services)).add(input);
  },
});

export const cronUpdateMethod = defineMethod({
  name: "cron.update",
  scope: "operator.admin",
  params: JobRef.extend({ patch: z.looseObject({}) }),
  handler: async (p, { services }) => {
    const patch = await parseWith((s) => s.CronPatchSchema, p.patch, "params.patch");
    const cron = await cronOf(services);
    return onJob(() => cron.update(idOf(p), patch));
  },
});

export const cronRemoveMethod = defineMethod({
  name: "cron.remove",
  scope: "operator.admin",
  params: JobRef,
  handler: async (p, { services }) => (await cronOf(services)).remove(idOf(p)),
});

export const cronRunMethod = defineMethod({
  name: "cron.run",
  scope: "operator.admin",
  params: JobRef.extend({ mode: z.enum(["due", "force", "if-enabled"]).optional() }),
  handler: async (p, { services }) => {
    const cron = await cronOf(services);
    const result = await onJob(() => cron.run(idOf(p), p.mode ?? "force"));
    // OpenClaw's `enqueued` is Pincer's `ran`: its CLI (`cron run --wait`) then polls cron.runs for the runId.
    return { ...result, enqueued: result.ran };
  },
});

export const cronRunsMethod = defineMethod({
  name: "cron.runs",
  scope: "operator.read",
  params: JobRef.extend({
    limit: z.int().min(1).max(200).optional(),
    offset: z.int().min(0).optional(),
    status: z.enum(["all", "ok", "error", "skipped"]).optional(),
    runId: z.string().min(1).optional(),
  }),
  handler: async (p, { services }) => {
    const cron = await cronOf(services);
    const id = idOf(p);
    const limit = p.limit ?? 50;
    const offset = p.offset ?? 0;
    const wanted = p.status && p.status !== "all" ? p.status : undefined;
    const filtering = wanted !== undefined || p.runId !== undefined;
    // Filtering (by status, or one run's entry) reads the whole (bounded) history, then pages.
    const { entries, total } = await onJob(() =>
      cron.runs(id, filtering ? Number.MAX_SAFE_INTEGER : limit, filtering ? 0 : offset),
    );
    const filtered = filtering
      ? entries.filter((e) => (!wanted || e.status === wanted) && (!p.runId || e.runId === p.runId))
      : entries;
    const page = filtering ? filtered.slice(offset, offset + limit) : filtered;
    const count = filtering ? filtered.length : total;
    return { entries: page, total: count, offset, limit, hasMore: offset + limit < count };
  },
});

export const cronMethods: MethodDef[] = [
  cronListMethod,
  cronStatusMethod,
  cronGetMethod,
  cronAddMethod,
  cronUpdateMethod,
  cronRemoveMethod,
  cronRunMethod,
  cronRunsMethod,
] as MethodDef[];
