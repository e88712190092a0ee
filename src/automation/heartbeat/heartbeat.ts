import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentRuntime } from "../../agent/runtime.js";
import type { ChannelManager } from "../../channels/manager.js";
import type { PincerConfig } from "../../config/schema.js";
import type { Logger } from "../../logging/logger.js";
import { normalizeAgentId } from "../../sessions/keys.js";
import { parseDuration } from "../cron/duration.js";
import { announce } from "../delivery.js";
import { type SystemEvents, systemEventsMessage } from "../system-events.js";
import { classifyHeartbeatReply, isEffectivelyEmpty } from "./ack.js";
import { withinActiveHours } from "./active-hours.js";
import {
  DEFAULT_ACK_MAX_CHARS,
  DEFAULT_EVERY,
  DEFAULT_HEARTBEAT_PROMPT,
  DEFAULT_LOOP_BREAKER,
  type HeartbeatConfig,
  type ResolvedHeartbeat,
} from "./config-schema.js";

export interface HeartbeatDeps {
  runtime: () => AgentRuntime | undefined;
  channels: () => ChannelManager | undefined;
  config: () => PincerConfig;
  systemEvents: SystemEvents;
  log: Logger;
  broadcast: (event: string, payload: unknown) => void;
  /** Calls `fn` for every gateway event; returns the unsubscribe function. */
  subscribe: (fn: (event: string, payload: unknown) => void) => () => void;
  signal: AbortSignal;
}

interface AgentBeat {
  nextAt: number;
  running: boolean;
  /** Heartbeat alerts in a row with no user message in between (the loop breaker's count). */
  alerts: number;
  paused: boolean;
}

/** Run ids of turns the gateway starts itself: their replies are not the user being active. */
const SYSTEM_RUN_PREFIXES = ["heartbeat-", "system-", "cron-", "hook-"];
/** A busy main session is tried again this soon rather than a whole interval later. */
const BUSY_RETRY_MS = 60_000;
/** The timer wakes at least this often to notice config changes. */
const MAX_TIMER_MS = 60_000;

/**
 * The heartbeat: every `every` (default 30 min), within active hours, a main-session turn that asks the agent
 * to follow HEARTBEAT.md. No file content (and no queued system event) means no turn and no tokens; a
 * HEARTBEAT_OK reply is not delivered; a run of alerts without user activity pauses it (loop breaker).
 * Turns go through the runtime like any other, so their usage is in the ledger and counts against budgets.
 */
export class Heartbeats {
  private readonly beats = new Map<string, AgentBeat>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: HeartbeatDeps) {
    this.unsubscribe = deps.subscribe((event, payload) => this.onEvent(event, payload));
    deps.signal.addEventListener("abort", () => this.stop(), { once: true });
  }

  start(): void {
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
  }

  /** The agent's heartbeat settings, or undefined when it has no recurring heartbeat. */
  resolve(agentId: string): ResolvedHeartbeat | undefined {
    const config = this.deps.config();
    const entries = config.agents.list;
    const own = entries.find((a) => normalizeAgentId(a.id) === agentId)?.heartbeat;
    // OpenClaw: once any agent has its own heartbeat block, only those agents beat.
    if (own === undefined && entries.some((a) => a.heartbeat !== undefined)) return undefined;
    const merged: HeartbeatConfig = { ...(config.agents.defaults.heartbeat ?? {}), ...(own ?? {}) };
    let everyMs: number;
    try {
      everyMs = parseDuration(merged.every ?? DEFAULT_EVERY, "heartbeat.every");
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, agentId }, "heartbeat disabled: bad heartbeat.every");
      return undefined;
    }
    if (everyMs <= 0) return undefined;
    return {
      everyMs,
      ...(merged.activeHours ? { activeHours: merged.activeHours } : {}),
      target: merged.target ?? "last",
      ...(merged.to ? { to: merged.to } : {}),
      ...(merged.accountId ? { accountId: merged.accountId } : {}),
      prompt: merged.prompt ?? DEFAULT_HEARTBEAT_PROMPT,
      ...(merged.model ? { model: merged.model } : {}),
      ackMaxChars: merged.ackMaxChars ?? DEFAULT_ACK_MAX_CHARS,
      loopBreaker: merged.loopBreaker ?? DEFAULT_LOOP_BREAKER,
    };
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.deps.signal.aborted) return;
    const runtime = this.deps.runtime();
    const now = Date.now();
    let earliest = now + MAX_TIMER_MS;
    for (const agent of runtime?.agents() ?? []) {
      const settings = this.resolve(agent.id);
      if (!settings) {
        this.beats.delete(agent.id);
        continue;
      }
      let beat = this.beats.get(agent.id);
      if (!beat) {
        beat = { nextAt: now + settings.everyMs, running: false, alerts: 0, paused: false };
        this.beats.set(agent.id, beat);
      }
      // A shorter interval from a config change takes effect now, not after the old, longer wait.
      beat.nextAt = Math.min(beat.nextAt, now + settings.everyMs);
      earliest = Math.min(earliest, beat.nextAt);
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, earliest - now));
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const [agentId, beat] of this.beats) {
      if (beat.running || beat.nextAt > now) continue;
      const settings = this.resolve(agentId);
      if (!settings) continue;
      beat.nextAt = now + settings.everyMs;
      void this.beat(agentId, beat, settings).catch((err) => this.deps.log.error({ err, agentId }, "heartbeat failed"));
    }
    this.arm();
  }

  private report(agentId: string, status: string, extra: Record<string, unknown> = {}): void {
    this.deps.broadcast("heartbeat", { agentId, status, ts: Date.now(), ...extra });
  }

  private async beat(agentId: string, beat: AgentBeat, settings: ResolvedHeartbeat): Promise<void> {
    const runtime = this.deps.runtime();
    if (!runtime) return;
    if (beat.paused) return this.report(agentId, "skipped", { reason: "loop-breaker" });
    if (settings.activeHours && !withinActiveHours(new Date(), settings.activeHours)) {
      return this.report(agentId, "skipped", { reason: "quiet-hours" });
    }
    const agent = runtime.agents().find((a) => a.id === agentId);
    if (!agent) return;
    const file = await readFile(join(agent.workspaceDir, "HEARTBEAT.md"), "utf8").catch(() => undefined);
    const pending = this.deps.systemEvents.count(agentId);
    if (isEffectivelyEmpty(file) && pending === 0) {
      // Nothing to check and nothing to tell: no turn, no tokens.
      return this.report(agentId, "skipped", { reason: "empty-heartbeat-file" });
    }
    const { key: mainKey } = runtime.resolveKey("main", agentId);
    if (runtime.runs.active(mainKey).length > 0) {
      beat.nextAt = Math.min(beat.nextAt, Date.now() + Math.min(BUSY_RETRY_MS, settings.everyMs));
      return this.report(agentId, "skipped", { reason: "busy" });
    }
    const events = this.deps.systemEvents.drain(agentId);
    const message = events.length > 0 ? `${settings.prompt}\n\n${systemEventsMessage(events)}` : settings.prompt;
    beat.running = true;
    try {
      const ack = runtime.send({
        sessionKey: "main",
        agentId,
        message,
        idempotencyKey: `heartbeat-${agentId}-${Date.now()}`,
        queueMode: "followup",
        channel: "heartbeat",
        ...(settings.model ? { modelOverride: settings.model } : {}),
      });
      const run = runtime.runs.get(ack.runId);
      const outcome = run
        ? await runtime.runs.wait(run, runtime.config.agents.defaults.timeoutSeconds * 1000 + 60_000)
        : undefined;
      if (outcome?.status !== "ok") {
        return this.report(agentId, "failed", {
          runId: ack.runId,
          error: outcome?.error?.message ?? outcome?.status ?? "timeout",
        });
      }
      const reply = classifyHeartbeatReply(outcome.text, settings.ackMaxChars);
      if (reply.kind === "ack") return this.report(agentId, "ok-token", { runId: ack.runId });
      beat.alerts += 1;
      const delivered = await this.deliver(agentId, settings, reply.text);
      this.report(agentId, "sent", { runId: ack.runId, delivered, preview: reply.text.slice(0, 200) });
      if (beat.alerts >= settings.loopBreaker) {
        beat.paused = true;
        this.deps.log.warn(
          { agentId, alerts: beat.alerts },
          "heartbeat paused: it kept producing replies with no message from the user; it resumes when the user writes",
        );
        this.report(agentId, "paused", { reason: "loop-breaker", alerts: beat.alerts });
      }
    } finally {
      beat.running = false;
    }
  }

  private async deliver(agentId: string, settings: ResolvedHeartbeat, text: string): Promise<boolean> {
    if (settings.target === "none") return false;
    const runtime = this.deps.runtime();
    if (!runtime) return false;
    try {
      await announce(
        { runtime, channels: this.deps.channels },
        agentId,
        {
          channel: settings.target,
          ...(settings.to ? { to: settings.to } : {}),
          ...(settings.accountId ? { accountId: settings.accountId } : {}),
        },
        text,
      );
      return true;
    } catch (err) {
      // The alert stays in the main session (the Control UI and WebChat show it); only the push failed.
      this.deps.log.info({ agentId, err: (err as Error).message }, "heartbeat alert not delivered to a channel");
      return false;
    }
  }

  /** A reply in an agent's main session to a message the user sent resets its loop breaker. */
  private onEvent(event: string, payload: unknown): void {
    if (event !== "chat") return;
    const p = payload as { state?: unknown; runId?: unknown; sessionKey?: unknown; agentId?: unknown };
    if (p.state !== "final" || typeof p.runId !== "string" || typeof p.agentId !== "string") return;
    if (SYSTEM_RUN_PREFIXES.some((prefix) => (p.runId as string).startsWith(prefix))) return;
    const beat = this.beats.get(p.agentId);
    const runtime = this.deps.runtime();
    if (!beat || !runtime || p.sessionKey !== runtime.resolveKey("main", p.agentId).key) return;
    if (beat.paused) this.report(p.agentId, "resumed", { reason: "user-activity" });
    beat.alerts = 0;
    beat.paused = false;
  }
}
