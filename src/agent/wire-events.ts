import type { AssistantMessage, Usage } from "../sessions/messages.js";
import { messageText } from "../sessions/messages.js";
import type { TurnEvent } from "./turn.js";

/** Deltas for one run are coalesced to at most one `chat` delta event per this interval. */
export const DELTA_COALESCE_MS = 40;

export type Broadcast = (event: "chat" | "agent", payload: Record<string, unknown>) => void;

export type ErrorKind = "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown";

/**
 * Turns one run's TurnEvents into the wire's `chat` events (what chat UIs render: delta, final, aborted,
 * error) and `agent` events (the detailed stream: lifecycle, assistant, thinking, tool, model), each with
 * its own per-run seq as OpenClaw clients expect.
 */
export class RunEventWriter {
  private chatSeq = 0;
  private agentSeq = 0;
  private pendingDelta = "";
  private text = "";
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runId: string,
    private readonly sessionKey: string,
    private readonly agentId: string,
    private readonly broadcast: Broadcast,
  ) {}

  lifecycle(phase: "start" | "end" | "error", data: Record<string, unknown> = {}): void {
    this.agent("lifecycle", { phase, ...data });
  }

  /** Compaction progress on its own stream, as OpenClaw clients expect: start, then end with the outcome. */
  compaction(phase: "start" | "end", data: Record<string, unknown> = {}): void {
    this.agent("compaction", { ...data, phase });
  }

  turnEvent(ev: TurnEvent): void {
    switch (ev.type) {
      case "model_attempt":
        this.agent("model", {
          provider: ev.provider,
          model: ev.model,
          profile: ev.profile,
          ...(ev.reason ? { reason: ev.reason } : {}),
        });
        break;
      case "text_delta":
        this.text = ev.text;
        this.pendingDelta += ev.delta;
        this.agent("assistant", { text: ev.text, delta: ev.delta });
        this.flushTimer ??= setTimeout(() => this.flushDelta(), DELTA_COALESCE_MS);
        break;
      case "thinking_delta":
        this.agent("thinking", { delta: ev.delta });
        break;
      case "tool_start":
        this.flushDelta();
        this.agent("tool", { phase: "start", name: ev.call.name, toolCallId: ev.call.id, args: ev.call.arguments });
        break;
      case "tool_update":
        this.agent("tool", { phase: "update", name: ev.call.name, toolCallId: ev.call.id, partialResult: ev.partial });
        break;
      case "tool_end":
        this.agent("tool", {
          phase: "result",
          name: ev.call.name,
          toolCallId: ev.call.id,
          isError: ev.result.isError,
          result: messageText(ev.result),
        });
        break;
      case "message":
        if (ev.message.role === "assistant") {
          this.flushDelta();
          // The next model step starts a new assistant message; its deltas start from empty text.
          this.text = "";
        }
        break;
    }
  }

  final(message: AssistantMessage, usage: Usage, stopReason: string): void {
    this.flushDelta();
    this.chat({ state: "final", message, usage, stopReason });
    this.lifecycle("end", { stopReason, usage });
  }

  aborted(message: AssistantMessage | undefined): void {
    this.flushDelta();
    this.chat({ state: "aborted", ...(message ? { message } : {}), stopReason: "aborted" });
    this.lifecycle("end", { stopReason: "aborted" });
  }

  error(
    errorMessage: string,
    errorKind: ErrorKind,
    detail?: Record<string, unknown>,
    message?: AssistantMessage,
  ): void {
    this.flushDelta();
    this.chat({
      state: "error",
      errorMessage,
      errorKind,
      ...(detail ? { errorDetail: detail } : {}),
      ...(message ? { message } : {}),
    });
    this.lifecycle("error", { error: errorMessage });
  }

  /**
   * The end of a run whose message was answered inside another run's turn (collect, steer). The reply went
   * out under `hostRunId`; this run's final carries no message, which OpenClaw clients read as "see history".
   */
  answeredBy(
    hostRunId: string,
    outcome: { status: "ok" | "error" | "aborted"; error?: { kind: string; message: string } },
  ): void {
    switch (outcome.status) {
      case "ok":
        this.chat({ state: "final" });
        this.lifecycle("end", { answeredBy: hostRunId });
        break;
      case "aborted":
        this.chat({ state: "aborted", stopReason: "aborted" });
        this.lifecycle("end", { stopReason: "aborted", answeredBy: hostRunId });
        break;
      case "error": {
        const errorMessage = outcome.error?.message ?? "the run failed";
        this.chat({ state: "error", errorMessage, errorKind: chatErrorKind(outcome.error?.kind) });
        this.lifecycle("error", { error: errorMessage, answeredBy: hostRunId });
        break;
      }
    }
  }

  /** A reply produced without a model call (slash commands, budget refusals). */
  reply(text: string): void {
    const message: AssistantMessage = {
      role: "assistant",
      content: [{ type: "text", text }],
      stopReason: "stop",
      timestamp: Date.now(),
    };
    this.chat({ state: "final", message, stopReason: "stop" });
  }

  private flushDelta(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (!this.pendingDelta) return;
    const deltaText = this.pendingDelta;
    this.pendingDelta = "";
    this.chat({
      state: "delta",
      deltaText,
      message: { role: "assistant", content: [{ type: "text", text: this.text }], timestamp: Date.now() },
    });
  }

  private chat(body: Record<string, unknown>): void {
    this.broadcast("chat", {
      runId: this.runId,
      sessionKey: this.sessionKey,
      agentId: this.agentId,
      seq: this.chatSeq++,
      ...body,
    });
  }

  private agent(stream: string, data: Record<string, unknown>): void {
    this.broadcast("agent", {
      runId: this.runId,
      seq: this.agentSeq++,
      stream,
      ts: Date.now(),
      data: { sessionKey: this.sessionKey, ...data },
    });
  }
}

/** Maps a model failure kind to the chat error kinds clients know. */
export function chatErrorKind(kind: string | undefined): ErrorKind {
  switch (kind) {
    case "rate_limit":
    case "overloaded":
      return "rate_limit";
    case "timeout":
      return "timeout";
    case "context_length":
      return "context_length";
    default:
      return "unknown";
  }
}
