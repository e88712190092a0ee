import type { AgentRuntime } from "../../agent/runtime.js";
import type { Logger } from "../../logging/logger.js";
import { buildCronSessionKey } from "../../sessions/keys.js";
import { type AnnounceDeps, announce } from "../delivery.js";
import type { CronConfig } from "./config-schema.js";
import type { CronJob, CronRunEntry } from "./job-schema.js";

export interface JobRunDeps extends AnnounceDeps {
  runtime: AgentRuntime;
  /** Hands a system event to the agent's main session (see Automation.wake). */
  wake(agentId: string, text: string, mode: "now" | "next-heartbeat"): unknown;
  config: CronConfig;
  log: Logger;
}

export type JobRunResult = Pick<
  CronRunEntry,
  "status" | "error" | "summary" | "sessionKey" | "deliveryStatus" | "deliveryError"
>;

/** Replies that mean "nothing to report": never delivered (OpenClaw's tokens). */
const SILENT_REPLIES = new Set(["NO_REPLY", "HEARTBEAT_OK"]);
/** A webhook receiver that has not answered within this long counts as a failed delivery. */
const WEBHOOK_TIMEOUT_MS = 15_000;
/** Run summaries kept in the run log, in characters. */
const SUMMARY_CHARS = 500;
/** Past the agent's own limit (agents.defaults.timeoutSeconds), the job stops waiting for its turn. */
const WAIT_SLACK_MS = 60_000;

/** Runs one occurrence of a job: the payload, then its delivery. Failures are values, never thrown. */
export async function runJob(deps: JobRunDeps, job: CronJob, runId: string): Promise<JobRunResult> {
  const agentId = job.agentId ?? deps.runtime.agents().find((a) => a.isDefault)?.id ?? "main";
  if (job.payload.kind === "systemEvent") {
    deps.wake(agentId, job.payload.text, job.wakeMode);
    return { status: "ok", summary: "system event queued for the main session", deliveryStatus: "not-requested" };
  }
  const sessionKey = job.sessionTarget === "isolated" ? buildCronSessionKey(agentId, job.id) : "main";
  let text: string;
  let resolvedKey = sessionKey;
  try {
    const ack = deps.runtime.send({
      sessionKey,
      agentId,
      message: job.payload.message,
      idempotencyKey: runId,
      queueMode: "followup",
      channel: "cron",
      ...(job.payload.model ? { modelOverride: job.payload.model } : {}),
    });
    resolvedKey = ack.sessionKey;
    const run = deps.runtime.runs.get(ack.runId);
    const limitMs =
      (job.payload.timeoutSeconds || deps.runtime.config.agents.defaults.timeoutSeconds) * 1000 + WAIT_SLACK_MS;
    const outcome = run ? await deps.runtime.runs.wait(run, limitMs) : undefined;
    if (!outcome) {
      if (run) deps.runtime.abort(ack.sessionKey, run.runId, agentId);
      return { status: "error", error: "the agent turn did not finish in time", sessionKey: resolvedKey };
    }
    if (outcome.status !== "ok") {
      const error = outcome.error?.message ?? (outcome.status === "aborted" ? "the run was aborted" : "the run failed");
      return { status: "error", error, sessionKey: resolvedKey };
    }
    text = outcome.text.trim();
  } catch (err) {
    return { status: "error", error: err instanceof Error ? err.message : String(err), sessionKey: resolvedKey };
  }
  const base: JobRunResult = {
    status: "ok",
    sessionKey: resolvedKey,
    ...(text ? { summary: text.slice(0, SUMMARY_CHARS) } : {}),
  };
  const delivery = job.delivery;
  if (!delivery || delivery.mode === "none") return { ...base, deliveryStatus: "not-requested" };
  if (!text || SILENT_REPLIES.has(text)) return { ...base, deliveryStatus: "not-delivered" };
  try {
    if (delivery.mode === "announce") {
      await announce(
        deps,
        agentId,
        { channel: delivery.channel, to: delivery.to, accountId: delivery.accountId },
        text,
      );
    } else {
      await postWebhook(delivery.to, deps.config.webhookToken, {
        jobId: job.id,
        jobName: job.name,
        runId,
        status: "ok",
        text,
        sessionKey: resolvedKey,
        ts: Date.now(),
      });
    }
    return { ...base, deliveryStatus: "delivered" };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.log.warn({ jobId: job.id, runId, err: message }, "cron delivery failed");
    return { ...base, deliveryStatus: "not-delivered", deliveryError: message };
  }
}

async function postWebhook(url: string, token: string | undefined, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`webhook ${new URL(url).host} answered HTTP ${res.status}`);
}
