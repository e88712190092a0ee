import { join } from "node:path";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import type { GatewayServices } from "../gateway/services.js";
import { NO_MODEL_CONFIGURED_MESSAGE } from "../models/chain.js";
import { ModelRouter } from "../models/failover.js";
import { parseSessionKey } from "../sessions/keys.js";
import type { AgentMessage, AssistantMessage } from "../sessions/messages.js";
import { KeyedQueue } from "../sessions/queue.js";
import { SessionStore } from "../sessions/store.js";
import type { AgentTool } from "../tools/tool.js";
import { type AgentInfo, defaultAgent, findAgent, listAgents } from "./agents.js";
import { builtinTools } from "./builtin-tools.js";
import { parseSlashCommand } from "./commands.js";
import { type RunOutcome, type RunRecord, RunRegistry, runTimeoutError, timeoutOf } from "./runs.js";
import { Semaphore } from "./semaphore.js";
import {
  type ClientTools,
  executeTurn,
  GATEWAY_REPLY_ORIGIN,
  type MessageOrigin,
  type QueuedInput,
} from "./session-turn.js";
import { UsageLedger } from "./usage-ledger.js";
import { RunEventWriter } from "./wire-events.js";

/** Largest message accepted by chat.send / agent, in characters (≈ bytes for text). */
export const MAX_MESSAGE_CHARS = 1_000_000;

export type QueueMode = "collect" | "followup" | "interrupt" | "steer";

export interface SendParams {
  sessionKey: string;
  message: string;
  idempotencyKey: string;
  agentId?: string;
  queueMode?: QueueMode;
  modelOverride?: string;
  channel?: string;
  /** Where the message came from, recorded on the session so "last" deliveries (cron, heartbeat) can answer there. */
  origin?: MessageOrigin;
  /** Recorded before `message` (an API client's tool results); with a prelude, an empty message adds no user turn. */
  prelude?: AgentMessage[];
  /** Tools an API client declared for this run (the OpenAI-compatible API's `tools`). */
  clientTools?: ClientTools;
  /** The caller's own time limit for this run; it can shorten agents.defaults.timeoutSeconds, never lengthen it. */
  timeoutMs?: number;
}

export interface SendAck {
  runId: string;
  status: "accepted" | "in_flight" | "ok" | "error" | "aborted";
  sessionKey: string;
  agentId: string;
  acceptedAt: number;
  cached?: boolean;
}

/**
 * The agent runtime: accepts messages, queues them per session, runs turns (one at a time per session, at
 * most `maxConcurrent` overall), persists every message, and streams `chat`/`agent` events. Methods that
 * expose it live in ./methods.ts; the loop itself in ./turn.ts.
 */
export class AgentRuntime {
  config: PincerConfig;
  readonly router: ModelRouter;
  readonly runs = new RunRegistry();
  readonly ledger: UsageLedger;
  readonly tools: AgentTool[];
  private readonly lanes = new KeyedQueue();
  private readonly semaphore: Semaphore;
  private readonly stores = new Map<string, Promise<SessionStore>>();
  /** Inputs accepted but not yet in a turn, per session key (collect/steer modes drain several at once). */
  private readonly pending = new Map<string, QueuedInput[]>();
  /** Run id → the run whose turn answers it (its input was collected or steered into that turn). */
  private readonly hosts = new Map<string, RunRecord>();
  private stopping = false;

  constructor(readonly services: GatewayServices) {
    this.config = services.config.current.config;
    this.router = new ModelRouter({ config: this.config, env: process.env, log: services.log });
    this.semaphore = new Semaphore(this.config.agents.defaults.maxConcurrent);
    this.ledger = new UsageLedger(join(services.paths.stateDir, "usage"));
    this.tools = builtinTools(this);
  }

  updateConfig(config: PincerConfig): void {
    this.config = config;
    this.router.updateConfig(config);
    this.semaphore.setLimit(config.agents.defaults.maxConcurrent);
  }

  agents(): AgentInfo[] {
    return listAgents(this.config, this.services.paths);
  }

  /** Canonical session key and its agent. A key without `agent:` belongs to `agentId` or the default agent. */
  resolveKey(rawKey: string, agentId?: string): { key: string; agent: AgentInfo } {
    const fallback = agentId
      ? findAgent(this.config, this.services.paths, agentId)
      : defaultAgent(this.config, this.services.paths);
    const parsed = parseSessionKey(rawKey, { defaultAgentId: fallback.id, mainKey: this.config.session.mainKey });
    return { key: parsed.key, agent: findAgent(this.config, this.services.paths, parsed.agentId) };
  }

  store(agentId: string): Promise<SessionStore> {
    let store = this.stores.get(agentId);
    if (!store) {
      const agent = findAgent(this.config, this.services.paths, agentId);
      store = SessionStore.open(this.services.paths.agentsDir, agent.id, {
        mainKey: this.config.session.mainKey,
        rotateBytes: this.config.session.maintenance.rotateBytes,
        cwd: agent.workspaceDir,
        logger: this.services.log,
      });
      store.catch(() => this.stores.delete(agentId));
      this.stores.set(agentId, store);
    }
    return store;
  }

  /** chat.send / agent: accept a message, queue its turn, answer at once with the run id. */
  send(params: SendParams): SendAck {
    if (this.stopping)
      throw new PincerError("UNAVAILABLE", "the gateway is shutting down; retry in a moment", { retryable: true });
    if (params.message.length > MAX_MESSAGE_CHARS) {
      throw new PincerError(
        "PAYLOAD_TOO_LARGE",
        `message is ${params.message.length.toLocaleString("en")} characters; the limit is ${MAX_MESSAGE_CHARS.toLocaleString("en")}. Send large content as an attachment or split it`,
      );
    }
    const existing = this.runs.get(params.idempotencyKey);
    if (existing) return this.ack(existing, true);
    const { key, agent } = this.resolveKey(params.sessionKey, params.agentId);
    if (parseSlashCommand(params.message)?.name === "stop") {
      // /stop must not wait in the queue behind the run it is meant to stop; it is created after the
      // stop so it does not count (or abort) itself.
      const stopped = this.stopSession(key, agent.id, undefined, "stopped by /stop");
      const run = this.runs.create(params.idempotencyKey, key, agent.id);
      const text =
        stopped.length > 0
          ? `Stopped ${stopped.length === 1 ? "the running reply" : `${stopped.length} runs`}.`
          : "Nothing is running.";
      this.writerFor(run.runId, key, agent.id).reply(text);
      this.runs.finish(run, { status: "ok", text });
      return this.ack(run, false);
    }
    const mode = params.queueMode ?? "collect";
    if (mode === "interrupt") this.stopSession(key, agent.id, undefined, "interrupted by a newer message");
    const run = this.runs.create(params.idempotencyKey, key, agent.id);
    const input: QueuedInput = {
      runId: run.runId,
      mode,
      ...(params.message || !params.prelude?.length
        ? { message: { role: "user", content: params.message, timestamp: run.acceptedAt } }
        : {}),
      ...(params.prelude?.length ? { prelude: params.prelude } : {}),
      ...(params.clientTools ? { clientTools: params.clientTools } : {}),
      ...(params.modelOverride ? { modelOverride: params.modelOverride } : {}),
      ...(params.channel ? { channel: params.channel } : {}),
      ...(params.origin ? { origin: params.origin } : {}),
      ...(params.timeoutMs ? { timeoutMs: params.timeoutMs } : {}),
    };
    const list = this.pending.get(key) ?? [];
    list.push(input);
    this.pending.set(key, list);
    // Every input gets its own lane slot; a slot whose input was already taken by an earlier turn
    // (collect, steer) finishes with that turn's outcome.
    void this.lanes.run(key, () => this.runLane(key, agent.id, run));
    return this.ack(run, false);
  }

  private ack(run: RunRecord, cached: boolean): SendAck {
    const status =
      run.status === "queued" || run.status === "running" ? (cached ? "in_flight" : "accepted") : run.status;
    return {
      runId: run.runId,
      status,
      sessionKey: run.sessionKey,
      agentId: run.agentId,
      acceptedAt: run.acceptedAt,
      ...(cached ? { cached } : {}),
    };
  }

  private writerFor(runId: string, key: string, agentId: string): RunEventWriter {
    return new RunEventWriter(runId, key, agentId, (event, payload) => this.services.events.broadcast(event, payload));
  }

  private async runLane(key: string, agentId: string, run: RunRecord): Promise<void> {
    if (run.outcome) return;
    const list = this.pending.get(key) ?? [];
    const mine = list.findIndex((i) => i.runId === run.runId);
    if (mine < 0) return; // an earlier turn took this input and finishes this run with its own outcome
    const own = list[mine] as QueuedInput;
    // A collect message takes the collect messages queued right behind it into the same turn; a followup
    // or steer message queued in between keeps its own place.
    let end = mine + 1;
    if (own.mode === "collect") while (end < list.length && list[end]?.mode === "collect") end += 1;
    const inputs = list.splice(mine, end - mine);
    if (list.length === 0) this.pending.delete(key);
    /** Other runs whose inputs this turn consumed (collected now, or steered in between tool steps). */
    const consumed: RunRecord[] = [];
    const take = (taken: QueuedInput[]) => {
      for (const i of taken) {
        const r = this.runs.get(i.runId);
        if (r && r !== run && !r.outcome) {
          consumed.push(r);
          this.hosts.set(r.runId, run);
        }
      }
    };
    take(inputs);
    const steer = () => {
      const waiting = this.pending.get(key) ?? [];
      const steered = waiting.filter((i) => i.mode === "steer");
      if (steered.length === 0) return [];
      const rest = waiting.filter((i) => i.mode !== "steer");
      if (rest.length > 0) this.pending.set(key, rest);
      else this.pending.delete(key);
      take(steered);
      for (const r of consumed) if (r.status === "queued") this.runs.start(r);
      return steered;
    };
    const writer = this.writerFor(run.runId, key, agentId);
    let release: (() => void) | undefined;
    let deadline: NodeJS.Timeout | undefined;
    let outcome: Omit<RunOutcome, "endedAt">;
    try {
      release = await this.semaphore.acquire(run.controller.signal);
      // The clock starts once the run holds a slot: time spent waiting for one is not the run's fault.
      const seconds = this.config.agents.defaults.timeoutSeconds;
      const requested = own.timeoutMs !== undefined && own.timeoutMs < seconds * 1000 ? own.timeoutMs : undefined;
      deadline = setTimeout(
        () => run.controller.abort(runTimeoutError(seconds, requested)),
        requested ?? seconds * 1000,
      );
      deadline.unref();
      this.runs.start(run);
      for (const r of consumed) this.runs.start(r);
      outcome = await executeTurn(this, { key, agentId, run, inputs, writer, steer });
    } catch (err) {
      const signal = run.controller.signal;
      const timedOut = timeoutOf(signal);
      const message = err instanceof Error ? err.message : String(err);
      if (timedOut) {
        writer.error(timedOut, "timeout");
        outcome = { status: "error", text: "", error: { kind: "timeout", message: timedOut } };
      } else if (signal.aborted) {
        writer.aborted(undefined);
        outcome = { status: "aborted", text: "" };
      } else {
        this.services.log.error({ err, key, runId: run.runId }, "agent turn failed");
        writer.error(message, "unknown");
        outcome = { status: "error", text: "", error: { kind: "internal", message } };
      }
    } finally {
      clearTimeout(deadline);
      release?.();
    }
    this.runs.finish(run, outcome);
    for (const r of consumed) {
      this.hosts.delete(r.runId);
      this.runs.finish(r, outcome);
      // Clients wait for a terminal event per run id; the reply itself went out under the host run.
      this.writerFor(r.runId, key, agentId).answeredBy(run.runId, outcome);
    }
  }

  /** chat.abort: stops the session's running (and, unless a runId is given, queued) runs. */
  abort(rawKey: string, runId?: string, agentId?: string): { aborted: boolean; runIds: string[] } {
    const { key, agent } = this.resolveKey(rawKey, agentId);
    const stopped = this.stopSession(key, agent.id, runId, "aborted by the user");
    return { aborted: stopped.length > 0, runIds: stopped.map((r) => r.runId) };
  }

  /**
   * Stops the session's runs, then runs `fn` in the session's lane once they have ended, so nothing a
   * stopped turn still writes lands afterwards (in the fresh session of a reset, or re-creating a deleted one).
   */
  async stopThen<T>(rawKey: string, agentId: string | undefined, fn: (key: string, agent: AgentInfo) => Promise<T>) {
    const { key, agent } = this.resolveKey(rawKey, agentId);
    this.stopSession(key, agent.id, undefined, "the session was reset or deleted");
    return this.lanes.run(key, () => fn(key, agent));
  }

  /**
   * Aborts the session's active runs (or just `runId`). A run still waiting in the queue is dropped at once
   * with its own `aborted` event; a running turn ends through its own path; a run answered inside another
   * run's turn (collect, steer) stops that turn.
   */
  private stopSession(key: string, agentId: string, runId: string | undefined, reason: string): RunRecord[] {
    const targets = this.runs.active(key).filter((r) => !runId || r.runId === runId);
    const waiting = this.pending.get(key) ?? [];
    for (const r of targets) {
      const queued = waiting.findIndex((i) => i.runId === r.runId);
      if (queued >= 0) {
        waiting.splice(queued, 1);
        this.runs.finish(r, { status: "aborted", text: "" });
        this.writerFor(r.runId, key, agentId).aborted(undefined);
        continue;
      }
      (this.hosts.get(r.runId) ?? r).controller.abort(new Error(reason));
    }
    if (waiting.length === 0) this.pending.delete(key);
    return targets;
  }

  contextWindow(agentId: string, override?: string): number | undefined {
    return this.router.contextWindow(agentId, override);
  }

  /** What the landing page, status and the CLI say about the model setup. */
  modelStatus(): { configured: boolean; ref?: string; hint?: string } {
    const chain = this.router.resolveChain();
    const first = chain[0];
    if (!first) return { configured: false, hint: NO_MODEL_CONFIGURED_MESSAGE };
    return { configured: true, ref: `${first.provider}/${first.model}` };
  }

  statusSummary() {
    return {
      model: this.modelStatus(),
      runs: { active: this.runs.active().length, inFlight: this.semaphore.inFlight, waiting: this.semaphore.queued },
      agents: this.agents().map((a) => ({ id: a.id, isDefault: a.isDefault, workspace: a.workspaceDir })),
    };
  }

  /** Stops accepting, aborts what runs after `drainMs`, and flushes the session indexes. */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    const active = this.runs.active();
    if (active.length > 0) {
      const drained = Promise.all(active.map((r) => this.runs.wait(r, drainMs)));
      const timer = new Promise((r) => setTimeout(r, drainMs).unref());
      await Promise.race([drained, timer]);
      for (const r of this.runs.active()) r.controller.abort(new Error("gateway shutting down"));
      await Promise.race([this.lanes.idle(), new Promise((r) => setTimeout(r, 1_000).unref())]);
    }
    for (const store of this.stores.values()) {
      try {
        await (await store).close();
      } catch (err) {
        this.services.log.warn({ err }, "closing a session store failed");
      }
    }
  }

  /** Prunes sessions idle past session.maintenance.pruneAfterDays and caps their number, per agent. */
  async maintenance(): Promise<void> {
    const { pruneAfterDays, maxEntries } = this.config.session.maintenance;
    for (const agent of this.agents()) {
      try {
        const store = await this.store(agent.id);
        const report = await store.maintenance({ pruneAfterDays, maxEntries });
        const removed = report.pruned.length + report.evicted.length + report.archivesRemoved.length;
        if (removed > 0) this.services.log.info({ agentId: agent.id, ...report }, "session maintenance");
      } catch (err) {
        this.services.log.warn({ err, agentId: agent.id }, "session maintenance failed");
      }
    }
  }

  /** A reply that did not come from a model: slash commands, refusals. Persisted so history shows it. */
  async systemReply(key: string, agentId: string, text: string): Promise<AssistantMessage> {
    const message: AssistantMessage = {
      role: "assistant",
      content: [{ type: "text", text }],
      stopReason: "stop",
      ...GATEWAY_REPLY_ORIGIN,
      timestamp: Date.now(),
    };
    const store = await this.store(agentId);
    await store.append(key, { type: "message", message });
    return message;
  }
}

/** How often old sessions are pruned (session.maintenance), besides once shortly after start. */
const MAINTENANCE_INTERVAL_MS = 6 * 3_600_000;
const MAINTENANCE_FIRST_DELAY_MS = 60_000;

export async function startAgentRuntime(services: GatewayServices): Promise<AgentRuntime> {
  const runtime = new AgentRuntime(services);
  await runtime.ledger.load();
  const first = setTimeout(() => void runtime.maintenance(), MAINTENANCE_FIRST_DELAY_MS);
  const every = setInterval(() => void runtime.maintenance(), MAINTENANCE_INTERVAL_MS);
  first.unref();
  every.unref();
  services.shutdownSignal.addEventListener("abort", () => {
    clearTimeout(first);
    clearInterval(every);
  });
  return runtime;
}
