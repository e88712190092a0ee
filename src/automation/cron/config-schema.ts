import { z } from "zod";

/** OpenClaw's backoff after consecutive failures: 30 s, 1 min, 5 min, 15 min, 1 h. */
export const DEFAULT_RETRY_BACKOFF_MS = [30_000, 60_000, 300_000, 900_000, 3_600_000];

/**
 * `cron` in pincer.json. `enabled` and `skipMissedJobs` are OpenClaw's keys; the retry keys are Pincer's. Other
 * OpenClaw keys (triggers, sessionRetention, failureAlert …) are kept, not rejected.
 */
export const CronConfigSchema = z.looseObject({
  /** Run stored jobs; false pauses every job without deleting any. */
  enabled: z.boolean().default(true),
  /**
   * Missed runs after downtime: false (default) runs a recurring job once to catch up, true skips to its next
   * future slot. A one-shot job that was missed always runs.
   */
  skipMissedJobs: z.boolean().default(false),
  /** Bearer token sent with `delivery.mode: "webhook"` POSTs. */
  webhookToken: z.string().min(1).optional(),
  /** Delay before each retry after a failed run, in order; the last value repeats. */
  retryBackoffMs: z.array(z.int().min(0)).min(1).default(DEFAULT_RETRY_BACKOFF_MS),
  /** Retries of a failed one-shot job before it is recorded as failed and disabled. */
  maxOneShotRetries: z.int().min(0).max(10).default(3),
});
export type CronConfig = z.infer<typeof CronConfigSchema>;
