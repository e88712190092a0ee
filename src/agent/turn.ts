import { formatIssues } from "../gateway/protocol/frames.js";
import type { ToolChoice } from "../models/convert.js";
import { addUsage, emptyUsage } from "../models/usage.js";
import type { AgentMessage, AssistantMessage, ToolCallPart, ToolResultMessage, Usage } from "../sessions/messages.js";
import { type AgentTool, type ToolOutput, type ToolSpec, textResult, toolSpec } from "../tools/tool.js";

/** What the model layer streams to the loop (src/models/failover.ts ModelRouter.stream). */
export type ModelStreamEvent =
  | { type: "attempt"; provider: string; model: string; profile: number; reason?: string }
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "tool_call"; call: ToolCallPart }
  | {
      type: "done";
      message: AssistantMessage;
      error?: { kind: string; message: string; httpStatus?: number; provider?: string; model?: string };
    };

export interface ModelRequest {
  agentId: string;
  modelOverride?: string;
  system: string;
  messages: AgentMessage[];
  tools: ReturnType<typeof toolSpec>[];
  toolChoice?: ToolChoice;
  signal: AbortSignal;
}

/** Events of one turn, in order; the runtime maps them to the wire's `chat` and `agent` events. */
export type TurnEvent =
  | { type: "model_attempt"; provider: string; model: string; profile: number; reason?: string }
  | { type: "text_delta"; delta: string; text: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "tool_start"; call: ToolCallPart }
  | { type: "tool_update"; call: ToolCallPart; partial: string }
  | { type: "tool_end"; call: ToolCallPart; result: ToolResultMessage }
  | { type: "message"; message: AgentMessage };

export interface TurnInput {
  agentId: string;
  sessionKey: string;
  modelOverride?: string;
  system: string;
  /** The prompt context, ending with the new user message. */
  context: AgentMessage[];
  signal: AbortSignal;
}

export interface TurnDeps {
  stream: (req: ModelRequest) => AsyncIterable<ModelStreamEvent>;
  tools: AgentTool[];
  maxSteps: number;
  emit: (event: TurnEvent) => void;
  /** Persists one finished message before the loop goes on, so a crash loses at most the message in flight. */
  persist: (message: AgentMessage) => Promise<void>;
  /** Called before each model call after the first; may return messages that arrived meanwhile (steering). */
  drainSteering?: () => AgentMessage[];
  /**
   * Tools an API client declared for this run: offered to the model beside `tools` but executed by the client,
   * so a step that calls one ends the turn with those calls in `TurnResult.clientCalls`. A name that clashes
   * with an agent tool is not offered (the agent's own tool keeps its name).
   */
  clientTools?: readonly ToolSpec[];
  /** Asked of the model on the first step only: later steps must be free to answer with the results. */
  firstStepToolChoice?: ToolChoice;
  now?: () => number;
}

export interface TurnResult {
  final: AssistantMessage;
  usage: Usage;
  steps: number;
  error?: { kind: string; message: string };
  /** The calls to client tools the turn stopped at (the final message has stopReason "toolUse"). */
  clientCalls?: ToolCallPart[];
}

/**
 * One agent turn: model call, tool calls, model call … until the model stops, the step bound is hit, or the
 * signal fires. Every message is persisted as soon as it is complete. Model and tool failures are values.
 */
export async function runTurn(input: TurnInput, deps: TurnDeps): Promise<TurnResult> {
  const now = deps.now ?? Date.now;
  const messages = [...input.context];
  const specs = deps.tools.map(toolSpec);
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  const offered = deps.clientTools?.length ? deps.clientTools.filter((t) => !byName.has(t.name)) : undefined;
  const clientNames = offered ? new Set(offered.map((t) => t.name)) : undefined;
  if (offered) specs.push(...offered);
  let usage = emptyUsage();
  let steps = 0;
  for (;;) {
    steps += 1;
    if (steps > 1) {
      for (const m of deps.drainSteering?.() ?? []) {
        messages.push(m);
        await deps.persist(m);
        deps.emit({ type: "message", message: m });
      }
    }
    let text = "";
    let done: Extract<ModelStreamEvent, { type: "done" }> | undefined;
    const request: ModelRequest = {
      agentId: input.agentId,
      system: input.system,
      messages,
      tools: specs,
      signal: input.signal,
    };
    if (input.modelOverride) request.modelOverride = input.modelOverride;
    if (steps === 1 && deps.firstStepToolChoice) request.toolChoice = deps.firstStepToolChoice;
    for await (const ev of deps.stream(request)) {
      switch (ev.type) {
        case "attempt":
          deps.emit({
            type: "model_attempt",
            provider: ev.provider,
            model: ev.model,
            profile: ev.profile,
            ...(ev.reason ? { reason: ev.reason } : {}),
          });
          break;
        case "text_delta":
          text += ev.delta;
          deps.emit({ type: "text_delta", delta: ev.delta, text });
          break;
        case "thinking_delta":
          deps.emit({ type: "thinking_delta", delta: ev.delta });
          break;
        case "tool_call":
          break;
        case "done":
          done = ev;
          break;
      }
    }
    const assistant: AssistantMessage = done?.message ?? {
      role: "assistant",
      content: text ? [{ type: "text", text }] : [],
      stopReason: input.signal.aborted ? "aborted" : "error",
      errorMessage: input.signal.aborted ? "aborted" : "the model stream ended without a result",
      timestamp: now(),
    };
    if (assistant.usage) usage = addUsage(usage, assistant.usage);
    messages.push(assistant);
    await deps.persist(assistant);
    deps.emit({ type: "message", message: assistant });

    const calls = assistant.content.filter((p): p is ToolCallPart => p.type === "toolCall");
    // Tool calls from a reply cut by the length limit may carry truncated arguments: never run them.
    if (assistant.stopReason !== "toolUse" || calls.length === 0 || input.signal.aborted) {
      return finish(assistant, usage, steps, done?.error);
    }
    const clientCalls = clientNames ? calls.filter((c) => clientNames.has(c.name)) : [];
    if (clientCalls.length > 0) {
      // The client runs its own tools and sends the results with its next request. The agent's tools called in
      // the same step run now, so every call but the client's already has its result in the transcript.
      for (const call of calls) {
        if (clientNames?.has(call.name)) continue;
        const result = await runTool(call, byName.get(call.name), input, deps, now);
        await deps.persist(result);
        deps.emit({ type: "tool_end", call, result });
        if (input.signal.aborted)
          return finish(assistant, usage, steps, { kind: "aborted", message: "aborted after a tool call" });
      }
      return { ...finish(assistant, usage, steps), clientCalls };
    }
    if (steps >= deps.maxSteps) {
      const stopped: AssistantMessage = {
        role: "assistant",
        content: [
          {
            type: "text",
            text: `Stopped after ${steps} model steps (agents.defaults.maxSteps). Ask me to continue if needed.`,
          },
        ],
        stopReason: "length",
        timestamp: now(),
      };
      await deps.persist(stopped);
      deps.emit({ type: "message", message: stopped });
      return finish(stopped, usage, steps, { kind: "max_steps", message: `stopped after ${steps} steps` });
    }
    for (const call of calls) {
      const result = await runTool(call, byName.get(call.name), input, deps, now);
      messages.push(result);
      await deps.persist(result);
      deps.emit({ type: "tool_end", call, result });
      if (input.signal.aborted) break;
    }
    if (input.signal.aborted) {
      const last = messages[messages.length - 1] as AgentMessage;
      return finish(assistant, usage, steps, {
        kind: "aborted",
        message: `aborted after ${last.role === "toolResult" ? "a tool call" : "a model step"}`,
      });
    }
  }
}

function finish(
  final: AssistantMessage,
  usage: Usage,
  steps: number,
  error?: { kind: string; message: string },
): TurnResult {
  return error ? { final, usage, steps, error: { kind: error.kind, message: error.message } } : { final, usage, steps };
}

async function runTool(
  call: ToolCallPart,
  tool: AgentTool | undefined,
  input: TurnInput,
  deps: TurnDeps,
  now: () => number,
): Promise<ToolResultMessage> {
  deps.emit({ type: "tool_start", call });
  let output: ToolOutput;
  if (!tool) {
    output = textResult(
      `Unknown tool "${call.name}". Available tools: ${deps.tools.map((t) => t.name).join(", ") || "none"}.`,
      true,
    );
  } else {
    const args = tool.parameters.safeParse(call.arguments);
    if (!args.success) {
      output = textResult(`Invalid arguments for ${call.name}: ${formatIssues(args.error)}`, true);
    } else {
      try {
        output = await tool.execute(call.id, args.data, {
          signal: input.signal,
          agentId: input.agentId,
          sessionKey: input.sessionKey,
          onUpdate: (partial) => deps.emit({ type: "tool_update", call, partial }),
        });
      } catch (err) {
        output = textResult(`Tool ${call.name} failed: ${err instanceof Error ? err.message : String(err)}`, true);
      }
    }
  }
  return {
    role: "toolResult",
    toolCallId: call.id,
    toolName: call.name,
    content: output.content,
    isError: output.isError ?? false,
    timestamp: now(),
  };
}
