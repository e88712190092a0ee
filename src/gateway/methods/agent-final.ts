import type { RunOutcome, RunRegistry } from "../../agent/runs.js";
import type { SendAck } from "../../agent/runtime.js";
import type { AgentDeliveryStatus } from "./agent-deliver.js";

/**
 * OpenClaw's `agent` method answers twice on one request id: first the acceptance (`status: "accepted"`), then,
 * when the run ends, the final answer `{ runId, status, summary, result: { payloads, meta } }`. OpenClaw's CLI
 * (`openclaw agent --message …`) waits for the second one and prints `result.payloads[].text`; without it, it
 * waits forever. This module builds that final answer from a run's outcome and waits for it.
 */

export interface AgentFinalPayload {
  text: string;
}

export interface AgentFinal {
  runId: string;
  /** OpenClaw's CLI exits 0 for "ok", 1 for anything else. */
  status: "ok" | "error" | "aborted" | "timeout";
  /** "completed", or what went wrong: the CLI prints it when there is no payload. */
  summary: string;
  sessionKey: string;
  agentId: string;
  result: {
    payloads: AgentFinalPayload[];
    meta: { durationMs: number; agentMeta: { sessionKey: string; agentId: string }; usage?: RunOutcome["usage"] };
    /** Set when the caller asked for the reply to be delivered on a channel (agent-deliver.ts). */
    deliveryStatus?: AgentDeliveryStatus;
  };
  error?: { kind: string; message: string };
}

/** The final answer for a run that ended with `outcome` (undefined: it did not end within the wait). */
export function agentFinalOf(
  ack: Pick<SendAck, "runId" | "sessionKey" | "agentId" | "acceptedAt">,
  outcome: RunOutcome | undefined,
  now: number = Date.now(),
): AgentFinal {
  const agentMeta = { sessionKey: ack.sessionKey, agentId: ack.agentId };
  const base = { runId: ack.runId, sessionKey: ack.sessionKey, agentId: ack.agentId };
  if (!outcome) {
    return {
      ...base,
      status: "timeout",
      summary: `run ${ack.runId} is still going; agent.wait (runId) gets its outcome later`,
      result: { payloads: [], meta: { durationMs: Math.max(0, now - ack.acceptedAt), agentMeta } },
    };
  }
  const text = outcome.text.trim();
  const summary =
    outcome.status === "ok"
      ? "completed"
      : outcome.status === "aborted"
        ? "aborted"
        : (outcome.error?.message ?? "the run failed");
  return {
    ...base,
    status: outcome.status,
    summary,
    result: {
      payloads: text ? [{ text: outcome.text }] : [],
      meta: {
        durationMs: Math.max(0, outcome.endedAt - ack.acceptedAt),
        agentMeta,
        ...(outcome.usage ? { usage: outcome.usage } : {}),
      },
    },
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/**
 * Waits for the run `ack` accepted to end (at most `timeoutMs`, and no longer than the caller's connection
 * lives) and returns its final answer. A run already gone from the registry is reported as an error.
 */
export async function awaitAgentFinal(
  runs: Pick<RunRegistry, "get" | "wait">,
  ack: Pick<SendAck, "runId" | "sessionKey" | "agentId" | "acceptedAt">,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<AgentFinal> {
  const run = runs.get(ack.runId);
  if (!run) {
    return agentFinalOf(ack, {
      status: "error",
      text: "",
      error: { kind: "not_found", message: `run ${ack.runId} is no longer known to the gateway` },
      endedAt: Date.now(),
    });
  }
  const closed = new Promise<undefined>((resolve) => {
    if (opts.signal?.aborted) resolve(undefined);
    opts.signal?.addEventListener("abort", () => resolve(undefined), { once: true });
  });
  const outcome = await Promise.race([runs.wait(run, opts.timeoutMs), closed]);
  return agentFinalOf(ack, outcome);
}
