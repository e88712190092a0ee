import { z } from "zod";

/** The prompt sent as the heartbeat turn's message when `prompt` is not set. */
export const DEFAULT_HEARTBEAT_PROMPT =
  "Heartbeat check. Read HEARTBEAT.md (in your workspace context) and follow it strictly. Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply HEARTBEAT_OK.";

const HHMM = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, "a time as HH:MM, 00:00 to 24:00");

/**
 * `agents.defaults.heartbeat` (and `agents.list[].heartbeat`, merged on top): OpenClaw's keys. Pincer adds
 * `loopBreaker`: after that many heartbeat replies in a row with no message from the user in between, the
 * heartbeat pauses until the user writes again.
 */
export const HeartbeatConfigSchema = z.looseObject({
  /** A duration ("30m", "1h"); "0m" turns the recurring heartbeat off. */
  every: z.string().optional(),
  activeHours: z
    .strictObject({
      start: HHMM,
      end: HHMM,
      /** IANA zone; the gateway host's when omitted. */
      timezone: z.string().optional(),
    })
    .optional(),
  /** Where a heartbeat alert goes: "last" (default), "none", or a channel id (with `to`). */
  target: z.string().optional(),
  to: z.string().optional(),
  accountId: z.string().optional(),
  prompt: z.string().optional(),
  model: z.string().optional(),
  /** A reply that is HEARTBEAT_OK plus at most this many characters is an acknowledgment: not delivered. */
  ackMaxChars: z.int().min(0).optional(),
  loopBreaker: z.int().min(1).optional(),
});
export type HeartbeatConfig = z.infer<typeof HeartbeatConfigSchema>;

export interface ResolvedHeartbeat {
  everyMs: number;
  activeHours?: { start: string; end: string; timezone?: string };
  target: string;
  to?: string;
  accountId?: string;
  prompt: string;
  model?: string;
  ackMaxChars: number;
  loopBreaker: number;
}

export const DEFAULT_EVERY = "30m";
export const DEFAULT_ACK_MAX_CHARS = 300;
export const DEFAULT_LOOP_BREAKER = 3;
