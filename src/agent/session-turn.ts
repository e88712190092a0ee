import { PincerError } from "../errors.js";
import type { ToolChoice } from "../models/convert.js";
import { emptyUsage } from "../models/usage.js";
import { budgetedStream } from "../ops/budgets.js";
import type { AgentMessage, ToolCallPart, UserMessage } from "../sessions/messages.js";
import { messageText } from "../sessions/messages.js";
import type { SessionStore } from "../sessions/store.js";
import type { ToolSpec } from "../tools/tool.js";
import { WorkspaceFileCache } from "../workspace/file-cache.js";
import { findAgent } from "./agents.js";
import { sessionTools } from "./builtin-tools.js";
import { parseSlashCommand, type SlashCommand } from "./commands.js";
import {
  compactionCut,
  needsCompaction,
  promptTokens,
  pruneOldToolResults,
  renderForSummary,
  SUMMARY_SYSTEM_PROMPT,
  summaryMessage,
  summaryRequest,
} from "./compaction.js";
import { buildSystemPrompt, loadBootstrapFiles } from "./prompt.js";
import { type RunOutcome, type RunRecord, timeoutOf } from "./runs.js";
import type { AgentRuntime, QueueMode } from "./runtime.js";
import { type ModelStreamEvent, runTurn } from "./turn.js";
import { chatErrorKind, type RunEventWriter } from "./wire-events.js";

export interface QueuedInput {
  runId: string;
  /** How this message joins the session's queue (chat.send queueMode). */
  mode: QueueMode;
  /** Absent when the input only continues the conversation with the tool results in `prelude`. */
  message?: UserMessage;
  /** Recorded before `message`: an API client's tool results (and, in a one-off session, the call they answer). */
  prelude?: AgentMessage[];
  clientTools?: ClientTools;
  modelOverride?: string;
  channel?: string;
  origin?: MessageOrigin;
  /** The caller's time limit for the run (see SendParams.timeoutMs). */
  timeoutMs?: number;
}

/** Tools an API client declared for one run (OpenAI `tools`): the model may call them, the client runs them. */
export interface ClientTools {
  specs: ToolSpec[];
  /** Appended to the system prompt for this run (OpenAI tool_choice "required" or a named function). */
  instruction?: string;
  /** Forces a tool call on the first model step (tool_choice), where the provider supports it. */
  force?: ToolChoice;
  /** Receives the client tool calls the turn stopped at, before the run's outcome is settled. */
  onCalls: (calls: ToolCallPart[]) => void;
}

/** A channel conversation a message arrived from: `to` is the peer id, or `group:<id>` / `channel:<id>`. */
export interface MessageOrigin {
  channel: string;
  to: string;
  accountId?: string;
  threadId?: string;
}

export interface TurnJob {
  key: string;
  agentId: string;
  run: RunRecord;
  inputs: QueuedInput[];
  writer: RunEventWriter;
  /** Inputs that arrived while this turn runs, to inject between model steps (queue mode steer). */
  steer: () => QueuedInput[];
}

/** Messages read back from the transcript to build a prompt; compaction keeps a session well below this. */
const CONTEXT_READ_LIMIT = 2_000;
/** Used when the catalog does not know a model's window. */
const FALLBACK_CONTEXT_WINDOW = 128_000;

type Outcome = Omit<RunOutcome, "endedAt">;

/** Every agent's bootstrap files, re-read only when changed (checked at most every 1.5 s; see file-cache.ts). */
const workspaceFiles = new WorkspaceFileCache();

/** One queued turn of one session: commands, the agent loop, compaction, and the run's final event. */
export async function executeTurn(runtime: AgentRuntime, job: TurnJob): Promise<Outcome> {
  const { key, agentId, writer } = job;
  const store = await runtime.store(agentId);
  writer.lifecycle("start", { sessionKey: key, agentId });

  const only = job.inputs.length === 1 ? job.inputs[0] : undefined;
  const commandMessage = only?.prelude ? undefined : only?.message;
  const command = commandMessage ? parseSlashCommand(messageText(commandMessage)) : undefined;
  if (command && commandMessage) {
    // The command is part of the record (the reply too, below) but never of the model's context.
    await store.append(key, {
      type: "custom",
      customType: COMMAND_ENTRY_TYPE,
      data: { text: messageText(commandMessage), at: commandMessage.timestamp },
    });
    const text = await runCommand(runtime, store, job, command);
    const message = await runtime.systemReply(key, agentId, text);
    writer.final(message, emptyUsage(), "stop");
    return { status: "ok", text };
  }

  const policy = runtime.config.session.reset;
  let resolved = await store.resolve(key, { resetPolicy: policy });
  const origin = job.inputs.findLast((i) => i.origin)?.origin;
  if (origin) {
    const entry = await store.patch(key, {
      lastChannel: origin.channel,
      lastTo: origin.to,
      lastAccountId: origin.accountId ?? null,
      lastThreadId: origin.threadId ?? null,
    });
    resolved = { ...resolved, entry };
  }
  const signal = job.run.controller.signal;
  for (const input of job.inputs) {
    for (const message of input.prelude ?? []) await store.append(key, { type: "message", message });
    if (input.message) await store.append(key, { type: "message", message: input.message });
  }
  const clientTools = job.inputs.find((i) => i.clientTools)?.clientTools;

  const context = await loadContext(store, key);
  const agent = findAgent(runtime.config, runtime.services.paths, agentId);
  const defaults = runtime.config.agents.defaults;
  const bootstrap = await loadBootstrapFiles(
    agent.workspaceDir,
    { perFileTokens: defaults.bootstrapMaxTokens, totalTokens: defaults.bootstrapTotalMaxTokens },
    workspaceFiles,
  );
  const channel = job.inputs.find((i) => i.channel)?.channel;
  const tools = await sessionTools(runtime, {
    agentId,
    sessionKey: key,
    model: job.inputs.find((i) => i.modelOverride)?.modelOverride ?? resolved.entry.model,
  });
  const skills = await skillsForPrompt(runtime, agentId, tools);
  const basePrompt = buildSystemPrompt({
    agentId,
    ...(agent.name ? { agentName: agent.name } : {}),
    now: new Date(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    workspaceDir: agent.workspaceDir,
    bootstrap,
    tools: (clientTools ? [...tools, ...clientTools.specs] : tools).map((t) => ({
      name: t.name,
      description: t.description,
    })),
    ...(skills.length > 0 ? { skills } : {}),
    ...(channel ? { channel } : {}),
  });
  const system = clientTools?.instruction ? `${basePrompt}\n\n${clientTools.instruction}` : basePrompt;
  const modelOverride = job.inputs.find((i) => i.modelOverride)?.modelOverride ?? resolved.entry.model;
  const stream = budgetedStream(
    runtime,
    { agentId, sessionKey: key },
    (req: Parameters<AgentRuntime["router"]["stream"]>[0]) =>
      runtime.router.stream(req) as AsyncIterable<ModelStreamEvent>,
  );

  let messages = context.messages;
  // agents.defaults.contextTokens caps the window (a cheaper budget than the model allows).
  const window = Math.min(
    runtime.contextWindow(agentId, modelOverride) ?? FALLBACK_CONTEXT_WINDOW,
    defaults.contextTokens ?? Number.POSITIVE_INFINITY,
  );
  if (needsCompaction(promptTokens(system, messages), window, defaults.compaction.threshold)) {
    const compacted = await compact(runtime, store, job, context, modelOverride, { reason: "threshold" });
    if (compacted) messages = compacted;
  }

  const result = await runTurn(
    {
      agentId,
      sessionKey: key,
      ...(modelOverride ? { modelOverride } : {}),
      system,
      context: pruneOldToolResults(messages),
      signal,
    },
    {
      stream,
      tools,
      maxSteps: defaults.maxSteps,
      emit: (ev) => writer.turnEvent(ev),
      persist: async (message) => {
        await store.append(key, { type: "message", message });
        if (message.role === "assistant" && message.usage && message.provider && message.usage.totalTokens > 0) {
          await runtime.ledger.record(
            {
              ts: message.timestamp,
              agentId,
              sessionKey: key,
              provider: message.provider,
              model: message.model ?? "unknown",
              ...(channel ? { channel } : {}),
            },
            message.usage,
          );
        }
      },
      drainSteering: () => job.steer().flatMap((i) => [...(i.prelude ?? []), ...(i.message ? [i.message] : [])]),
      ...(clientTools ? { clientTools: clientTools.specs } : {}),
      ...(clientTools?.force ? { firstStepToolChoice: clientTools.force } : {}),
    },
  );

  const text = messageText(result.final);
  const timedOut = timeoutOf(signal);
  if (timedOut) {
    writer.error(timedOut, "timeout", undefined, result.final);
    return { status: "error", text, usage: result.usage, error: { kind: "timeout", message: timedOut } };
  }
  if (signal.aborted || result.final.stopReason === "aborted") {
    writer.aborted(result.final);
    return { status: "aborted", text, usage: result.usage };
  }
  if (result.final.stopReason === "error") {
    const failure = result.error ?? { kind: "unknown", message: result.final.errorMessage ?? "the model call failed" };
    writer.error(
      failure.message,
      chatErrorKind(failure.kind),
      {
        ...(result.final.provider ? { provider: result.final.provider } : {}),
        ...(result.final.model ? { model: result.final.model } : {}),
      },
      result.final,
    );
    return { status: "error", text, usage: result.usage, error: failure };
  }
  if (result.clientCalls) clientTools?.onCalls(result.clientCalls);
  writer.final(result.final, result.usage, result.final.stopReason ?? "stop");
  return { status: "ok", text, usage: result.usage };
}

/**
 * The skills listed in the prompt: only when the agent has a tool to open them (skill_read, or read for
 * workspace skills). Loaded on the first turn, then looked at again at most every 2 s (PROMPT_SKILLS_CHECK_MS);
 * a failure to list skills never fails the turn.
 */
async function skillsForPrompt(runtime: AgentRuntime, agentId: string, tools: { name: string }[]) {
  if (!tools.some((t) => t.name === "skill_read")) return [];
  try {
    const { PROMPT_SKILLS_CHECK_MS, promptSkills } = await import("../skills/status.js");
    return await promptSkills(
      { config: runtime.config, paths: runtime.services.paths, agentId, env: process.env },
      PROMPT_SKILLS_CHECK_MS,
    );
  } catch (err) {
    runtime.services.log.warn({ err }, "listing skills for the prompt failed; continuing without them");
    return [];
  }
}

/** Transcript entries recording a slash command the user sent. */
export const COMMAND_ENTRY_TYPE = "pincer.command";

/** Provider and model recorded on replies the gateway makes without a model (see AgentRuntime.systemReply). */
export const GATEWAY_REPLY_ORIGIN = { provider: "pincer", model: "gateway" } as const;

export function isGatewayReply(message: AgentMessage): boolean {
  return (
    message.role === "assistant" &&
    message.provider === GATEWAY_REPLY_ORIGIN.provider &&
    message.model === GATEWAY_REPLY_ORIGIN.model
  );
}

interface LoadedContext {
  messages: AgentMessage[];
  /** Transcript entry ids parallel to `messages` (the summary stand-in has none). */
  ids: (string | undefined)[];
  summary?: string;
}

/** The prompt context: the latest compaction summary, then every message kept after it. */
export async function loadContext(store: SessionStore, key: string): Promise<LoadedContext> {
  const history = await store.history(key, { limit: CONTEXT_READ_LIMIT });
  let entries = history.messages;
  const compaction = history.compaction;
  if (compaction) {
    const firstKept = entries.findIndex((e) => e.id === compaction.firstKeptEntryId);
    if (firstKept >= 0) entries = entries.slice(firstKept);
  }
  // Replies the gateway made itself (slash commands) are for the user, not the model: leaving them out
  // also keeps a fresh session from opening with an assistant message, which some providers reject.
  entries = entries.filter((e) => !isGatewayReply(e.message as AgentMessage));
  const messages = entries.map((e) => e.message as AgentMessage);
  const ids: (string | undefined)[] = entries.map((e) => e.id);
  if (compaction) {
    messages.unshift(summaryMessage(compaction.summary, Date.parse(compaction.timestamp) || Date.now()));
    ids.unshift(undefined);
    return { messages, ids, summary: compaction.summary };
  }
  return { messages, ids };
}

/**
 * Summarizes everything before the last few user turns with the model and records a compaction entry. The
 * transcript keeps every original line; only the prompt shrinks. Returns the new context, or undefined
 * when there was nothing to compact or the summary call failed (the turn then goes on uncompacted).
 */
async function compact(
  runtime: AgentRuntime,
  store: SessionStore,
  job: TurnJob,
  context: LoadedContext,
  modelOverride: string | undefined,
  opts: { reason: "threshold" | "manual"; instructions?: string },
): Promise<AgentMessage[] | undefined> {
  const { instructions } = opts;
  const keep = runtime.config.agents.defaults.compaction.keepRecentTurns;
  const cut = compactionCut(context.messages, keep);
  const firstKeptId = context.ids[cut];
  if (cut <= (context.summary ? 1 : 0) || !firstKeptId) return undefined;
  const older = context.messages.slice(context.summary ? 1 : 0, cut);
  const tokensBefore = promptTokens("", context.messages);
  await flushMemoryBeforeCompaction(runtime, job, context.messages, modelOverride);
  job.writer.compaction("start", { reason: opts.reason, tokensBefore });
  let summary = "";
  let failed: string | undefined;
  const request = {
    agentId: job.agentId,
    ...(modelOverride ? { modelOverride } : {}),
    system: SUMMARY_SYSTEM_PROMPT,
    messages: [
      {
        role: "user" as const,
        content: summaryRequest(context.summary, renderForSummary(older), instructions),
        timestamp: Date.now(),
      },
    ],
    tools: [],
    signal: job.run.controller.signal,
  };
  const summaryStream = budgetedStream(runtime, { agentId: job.agentId, sessionKey: job.key }, (r: typeof request) =>
    runtime.router.stream(r),
  );
  for await (const ev of summaryStream(request)) {
    if (ev.type === "done") {
      if (ev.error) failed = ev.error.message;
      else summary = messageText(ev.message);
      if (ev.message.usage && ev.message.provider) {
        await runtime.ledger.record(
          {
            ts: Date.now(),
            agentId: job.agentId,
            sessionKey: job.key,
            provider: ev.message.provider,
            model: ev.message.model ?? "unknown",
          },
          ev.message.usage,
        );
      }
    }
  }
  if (failed || !summary.trim()) {
    job.writer.compaction("end", {
      reason: opts.reason,
      completed: false,
      error: failed ?? "the summary came back empty",
    });
    runtime.services.log.warn(
      { key: job.key, error: failed },
      "compaction summary failed; continuing without compaction",
    );
    return undefined;
  }
  await store.append(job.key, { type: "compaction", summary, firstKeptEntryId: firstKeptId, tokensBefore });
  const compacted = [summaryMessage(summary, Date.now()), ...context.messages.slice(cut)];
  job.writer.compaction("end", {
    reason: opts.reason,
    completed: true,
    tokensBefore,
    tokensAfter: promptTokens("", compacted),
  });
  return compacted;
}

/**
 * The pre-compaction memory flush (src/memory/flush.ts): one silent turn with the file and memory tools, so
 * the agent can write down what the summary would lose. No events, no transcript lines; its usage is
 * recorded. A failure is logged and never stops the compaction.
 */
async function flushMemoryBeforeCompaction(
  runtime: AgentRuntime,
  job: TurnJob,
  messages: AgentMessage[],
  modelOverride: string | undefined,
): Promise<void> {
  const { FLUSH_MAX_STEPS, FLUSH_TOOL_NAMES, memoryFlushPlan } = await import("../memory/flush.js");
  const plan = memoryFlushPlan(runtime.config, new Date(), Intl.DateTimeFormat().resolvedOptions().timeZone);
  if (!plan) return;
  try {
    const tools = (
      await sessionTools(runtime, { agentId: job.agentId, sessionKey: job.key, model: modelOverride })
    ).filter((t) => FLUSH_TOOL_NAMES.has(t.name));
    // Without a tool that writes files there is nothing a flush could do.
    if (!tools.some((t) => t.name === "write" || t.name === "edit" || t.name === "apply_patch")) return;
    const stream = budgetedStream(
      runtime,
      { agentId: job.agentId, sessionKey: job.key },
      (req: Parameters<AgentRuntime["router"]["stream"]>[0]) =>
        runtime.router.stream(req) as AsyncIterable<ModelStreamEvent>,
    );
    await runTurn(
      {
        agentId: job.agentId,
        sessionKey: job.key,
        ...(modelOverride ? { modelOverride } : {}),
        system: plan.system,
        context: [...pruneOldToolResults(messages), { role: "user", content: plan.prompt, timestamp: Date.now() }],
        signal: job.run.controller.signal,
      },
      {
        stream,
        tools,
        maxSteps: FLUSH_MAX_STEPS,
        emit: () => {},
        persist: async (message) => {
          if (message.role !== "assistant" || !message.usage || !message.provider || message.usage.totalTokens <= 0)
            return;
          await runtime.ledger.record(
            {
              ts: message.timestamp,
              agentId: job.agentId,
              sessionKey: job.key,
              provider: message.provider,
              model: message.model ?? "unknown",
            },
            message.usage,
          );
        },
      },
    );
  } catch (err) {
    runtime.services.log.warn({ err, key: job.key }, "memory flush before compaction failed; compacting anyway");
  }
}

async function runCommand(
  runtime: AgentRuntime,
  store: SessionStore,
  job: TurnJob,
  command: SlashCommand,
): Promise<string> {
  const { key, agentId } = job;
  switch (command.name) {
    case "new":
    case "reset": {
      const result = await store.reset(key, command.name);
      return `Started a new session (${result.entry.sessionId.slice(0, 8)}). The previous conversation is archived, not deleted.`;
    }
    case "model": {
      if (!command.arg) {
        const entry = store.get(key);
        const chain = runtime.router.resolveChain(agentId, entry?.model).map((r) => `${r.provider}/${r.model}`);
        return chain.length === 0
          ? (runtime.modelStatus().hint ?? "No model configured.")
          : `Model: ${chain[0]}${chain.length > 1 ? ` (fallbacks: ${chain.slice(1).join(", ")})` : ""}. Change it with /model provider/model, or /model default.`;
      }
      if (command.arg === "default") {
        await store.patch(key, { model: null });
        return "This session uses the default model again.";
      }
      if (!/^[^/\s]+\/\S+$/.test(command.arg))
        throw new PincerError(
          "INVALID_REQUEST",
          `"${command.arg}" is not a model reference: use provider/model, e.g. anthropic/claude-sonnet-4-5`,
        );
      await store.patch(key, { model: command.arg });
      return `This session now uses ${command.arg}.`;
    }
    case "status": {
      const entry = store.get(key);
      const model = runtime.router.resolveChain(agentId, entry?.model)[0];
      const lines = [
        `Session ${key}${entry ? ` (${entry.sessionId.slice(0, 8)})` : ""}`,
        `Model: ${model ? `${model.provider}/${model.model}` : "none configured"}`,
      ];
      if (entry) {
        lines.push(`Tokens: ${entry.inputTokens} in, ${entry.outputTokens} out; context ${entry.totalTokens}`);
        lines.push(`Cost so far: $${entry.estimatedCostUsd.toFixed(4)} · compactions: ${entry.compactionCount}`);
      }
      return lines.join("\n");
    }
    case "compact": {
      const context = await loadContext(store, key);
      const compacted = await compact(runtime, store, job, context, store.get(key)?.model, {
        reason: "manual",
        ...(command.arg ? { instructions: command.arg } : {}),
      });
      return compacted
        ? `Compacted the conversation: ${context.messages.length} messages now stand as a summary plus ${compacted.length - 1} recent ones.`
        : "Nothing to compact yet.";
    }
    case "stop":
      return "Nothing is running.";
  }
}
