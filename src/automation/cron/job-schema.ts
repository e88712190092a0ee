import { z } from "zod";

/**
 * A cron job as stored in cron/jobs.json and sent over the wire (cron.list, cron.add …). The shape is
 * OpenClaw's (CronJob in @openclaw/gateway-protocol) for the schedule kinds, payloads and deliveries Pincer
 * runs: schedules `at` / `every` / `cron`, payloads `systemEvent` / `agentTurn`, delivery none / announce / webhook.
 */

export const AtSchedule = z.strictObject({
  kind: z.literal("at"),
  /** ISO 8601 time; without an offset it is UTC. */
  at: z.string().min(1),
});
export const EverySchedule = z.strictObject({
  kind: z.literal("every"),
  everyMs: z.int().min(1000, "everyMs: at least 1000 (one second)"),
  /** Intervals count from here; the job's creation time when omitted. */
  anchorMs: z.int().min(0).optional(),
});
export const CronExprSchedule = z.strictObject({
  kind: z.literal("cron"),
  /** 5 fields (minute …), or 6 with seconds first; croner syntax. */
  expr: z.string().min(1),
  /** IANA time zone; the gateway host's when omitted. */
  tz: z.string().min(1).optional(),
  /** Spreads runs over this window (deterministic per job); top-of-hour expressions get up to 5 min by default. */
  staggerMs: z.int().min(0).max(3_600_000).optional(),
});
export const CronScheduleSchema = z.discriminatedUnion("kind", [AtSchedule, EverySchedule, CronExprSchedule]);
export type CronSchedule = z.infer<typeof CronScheduleSchema>;

export const SystemEventPayload = z.strictObject({
  kind: z.literal("systemEvent"),
  text: z.string().trim().min(1),
});
export const AgentTurnPayload = z.strictObject({
  kind: z.literal("agentTurn"),
  message: z.string().trim().min(1),
  /** provider/model for this job's turns. */
  model: z.string().min(1).optional(),
  thinking: z.string().optional(),
  timeoutSeconds: z.number().min(0).optional(),
});
export const CronPayloadSchema = z.discriminatedUnion("kind", [SystemEventPayload, AgentTurnPayload]);
export type CronPayload = z.infer<typeof CronPayloadSchema>;

const Channel = z.string().min(1);
export const CronDeliverySchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("none") }),
  z.strictObject({
    mode: z.literal("announce"),
    /** A channel id, or "last": where the agent's main session last talked. */
    channel: Channel.default("last"),
    to: z.string().min(1).optional(),
    accountId: z.string().min(1).optional(),
    bestEffort: z.boolean().optional(),
  }),
  z.strictObject({
    mode: z.literal("webhook"),
    /** http(s) URL that gets a JSON POST with the run's outcome. */
    to: z.url({ protocol: /^https?$/, error: "delivery.to: an http(s) URL" }),
    bestEffort: z.boolean().optional(),
  }),
]);
export type CronDelivery = z.infer<typeof CronDeliverySchema>;

export const RunStatusSchema = z.enum(["ok", "error", "skipped"]);
export type CronRunStatus = z.infer<typeof RunStatusSchema>;

export const CronJobStateSchema = z.looseObject({
  nextRunAtMs: z.int().min(0).optional(),
  runningAtMs: z.int().min(0).optional(),
  lastRunAtMs: z.int().min(0).optional(),
  lastRunStatus: RunStatusSchema.optional(),
  lastError: z.string().optional(),
  lastDurationMs: z.int().min(0).optional(),
  consecutiveErrors: z.int().min(0).optional(),
  lastDeliveryStatus: z.enum(["delivered", "not-delivered", "unknown", "not-requested"]).optional(),
});
export type CronJobState = z.infer<typeof CronJobStateSchema>;

const JobFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  agentId: z.string().min(1).optional(),
  enabled: z.boolean(),
  /** One-shot jobs (`at`) are removed after a successful run when set (the default for `at`). */
  deleteAfterRun: z.boolean().optional(),
  schedule: CronScheduleSchema,
  /** "main": a system event in the agent's main session; "isolated": its own session `cron:<jobId>`. */
  sessionTarget: z.enum(["main", "isolated"]),
  /** For main-session jobs: deliver the event at once, or with the next heartbeat. */
  wakeMode: z.enum(["now", "next-heartbeat"]),
  payload: CronPayloadSchema,
  delivery: CronDeliverySchema.optional(),
};

export const CronJobSchema = z.looseObject({
  id: z.string().min(1),
  ...JobFields,
  createdAtMs: z.int().min(0),
  updatedAtMs: z.int().min(0),
  state: CronJobStateSchema,
});
export type CronJob = z.infer<typeof CronJobSchema>;

/** cron.add params (OpenClaw's CronAddParams for the kinds above); `enabled` defaults to true. */
export const CronAddSchema = z.strictObject({
  ...JobFields,
  enabled: z.boolean().default(true),
  sessionTarget: JobFields.sessionTarget.default("isolated"),
  wakeMode: JobFields.wakeMode.default("now"),
  agentId: z.string().min(1).nullish(),
});
export type CronAdd = z.infer<typeof CronAddSchema>;

export const CronPatchSchema = z.strictObject({
  name: JobFields.name.optional(),
  description: JobFields.description,
  agentId: z.string().min(1).nullish(),
  enabled: z.boolean().optional(),
  deleteAfterRun: z.boolean().optional(),
  schedule: CronScheduleSchema.optional(),
  sessionTarget: JobFields.sessionTarget.optional(),
  wakeMode: JobFields.wakeMode.optional(),
  payload: CronPayloadSchema.optional(),
  delivery: CronDeliverySchema.nullish(),
});
export type CronPatch = z.infer<typeof CronPatchSchema>;

/** The store file: `{ version: 1, jobs: [...] }`, as OpenClaw writes cron/jobs.json. */
export const CronStoreFileSchema = z.looseObject({
  version: z.literal(1),
  jobs: z.array(z.unknown()),
});

/** One line of cron/runs/<jobId>.jsonl. */
export const CronRunEntrySchema = z.looseObject({
  ts: z.int(),
  jobId: z.string(),
  action: z.literal("finished"),
  runId: z.string().optional(),
  status: RunStatusSchema,
  error: z.string().optional(),
  summary: z.string().optional(),
  durationMs: z.int().min(0).optional(),
  attempt: z.int().min(1).optional(),
  trigger: z.enum(["schedule", "manual", "catch-up", "retry"]).optional(),
  sessionKey: z.string().optional(),
  deliveryStatus: z.enum(["delivered", "not-delivered", "unknown", "not-requested"]).optional(),
  deliveryError: z.string().optional(),
  nextRunAtMs: z.int().optional(),
});
export type CronRunEntry = z.infer<typeof CronRunEntrySchema>;
