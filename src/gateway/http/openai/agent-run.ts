import type { RunOutcome } from "../../../agent/runs.js";
import type { AgentRuntime } from "../../../agent/runtime.js";
import type { AgentMessage, ToolCallPart } from "../../../sessions/messages.js";
import type { GatewayServices } from "../../services.js";
import type { RunTarget } from "./agent-target.js";
import type { ClientToolPlan } from "./client-tools.js";
import type { AgentTurnInput } from "./conversation.js";

/**
 * What an HTTP API request sees of one agent run: text as it streams (the agent's words across all its model
 * steps, tool chatter excluded) and the outcome. The runtime's events are the one source; this only filters
 * them by run id, so the API and WebSocket clients see the same run.
 */
export interface ApiRunRequest {
  runId: string;
  sessionKey: string;
  agentId: string;
  message: string;
  /** Recorded before the message: the client's tool results (see conversation.ts agentTurn). */
  prelude?: AgentMessage[];
  /** The client's tools offered for this run. */
  clientTools?: ClientToolPlan;
  modelOverride?: string;
  channel: string;
  /** Fires when the HTTP client goes away: the run is aborted. */
  signal: AbortSignal;
  /** Each piece of reply text, in order. */
  onText?: (delta: string) => void;
}

export interface ApiRunResult {
  outcome: RunOutcome;
  /** Everything streamed through onText (the reply as the client saw it), or the outcome's text when none streamed. */
  text: string;
  /** The canonical session key the run used. */
  sessionKey: string;
  /** Calls to the client's tools the run stopped at: the response hands them to the client. */
  clientCalls?: ToolCallPart[];
}

/** The run request for a resolved target: the one place API requests become runtime sends. */
export function apiRunRequest(
  target: RunTarget,
  runId: string,
  input: AgentTurnInput,
  clientTools: ClientToolPlan | undefined,
  signal: AbortSignal,
): ApiRunRequest {
  return {
    runId,
    sessionKey: target.sessionKey,
    agentId: target.agent.id,
    message: input.message,
    channel: target.channel,
    signal,
    ...(input.prelude ? { prelude: input.prelude } : {}),
    ...(clientTools ? { clientTools } : {}),
    ...(target.modelOverride ? { modelOverride: target.modelOverride } : {}),
  };
}

/** Agent text of one model step and the next are joined by a blank line, as a chat client would show them. */
const STEP_SEPARATOR = "\n\n";

/** A run the client no longer waits for is still bounded by agents.defaults.timeoutSeconds; this is a backstop. */
const WAIT_SLACK_MS = 60_000;

export async function runForApi(
  services: GatewayServices,
  runtime: AgentRuntime,
  req: ApiRunRequest,
): Promise<ApiRunResult> {
  let text = "";
  /** A tool ran since the last text: the next text starts a new paragraph. */
  let stepBreak = false;
  const emit = (delta: string) => {
    if (!delta) return;
    const piece = stepBreak && text ? `${STEP_SEPARATOR}${delta}` : delta;
    stepBreak = false;
    text += piece;
    req.onText?.(piece);
  };
  const unsubscribe = services.events.add({
    scopes: new Set(),
    sendEvent(event, payload) {
      if (event !== "agent") return;
      const ev = payload as { runId?: unknown; stream?: unknown; data?: { delta?: unknown; phase?: unknown } };
      if (ev.runId !== req.runId) return;
      if (ev.stream === "assistant" && typeof ev.data?.delta === "string") emit(ev.data.delta);
      else if (ev.stream === "tool" && ev.data?.phase === "start") stepBreak = true;
    },
  });
  const onAbort = () => runtime.abort(req.sessionKey, req.runId, req.agentId);
  let clientCalls: ToolCallPart[] | undefined;
  try {
    const ack = runtime.send({
      sessionKey: req.sessionKey,
      agentId: req.agentId,
      message: req.message,
      idempotencyKey: req.runId,
      // Each API request is its own turn: never folded into another request's turn on the same session.
      queueMode: "followup",
      channel: req.channel,
      ...(req.modelOverride ? { modelOverride: req.modelOverride } : {}),
      ...(req.prelude ? { prelude: req.prelude } : {}),
      ...(req.clientTools
        ? {
            clientTools: {
              specs: req.clientTools.specs,
              ...(req.clientTools.instruction ? { instruction: req.clientTools.instruction } : {}),
              ...(req.clientTools.force ? { force: req.clientTools.force } : {}),
              onCalls: (calls: ToolCallPart[]) => {
                clientCalls = calls;
              },
            },
          }
        : {}),
    });
    const run = runtime.runs.get(ack.runId);
    if (!run) throw new Error(`run ${ack.runId} vanished right after it was accepted`);
    if (req.signal.aborted) onAbort();
    else req.signal.addEventListener("abort", onAbort, { once: true });
    const limitMs = runtime.config.agents.defaults.timeoutSeconds * 1000 + WAIT_SLACK_MS;
    let outcome = await runtime.runs.wait(run, limitMs);
    if (!outcome) {
      // Still queued behind other runs past any sane wait: give up on it rather than hold the request forever.
      runtime.abort(ack.sessionKey, run.runId, ack.agentId);
      outcome = (await runtime.runs.wait(run, 5_000)) ?? {
        status: "error",
        text: "",
        error: { kind: "timeout", message: "the run did not finish in time" },
        endedAt: Date.now(),
      };
    }
    if (!text && outcome.text && outcome.status === "ok") emit(outcome.text);
    return { outcome, text, sessionKey: ack.sessionKey, ...(clientCalls ? { clientCalls } : {}) };
  } finally {
    req.signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
