import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AgentRuntime } from "../agent/runtime.js";
import type { ChannelManager } from "../channels/manager.js";
import type { PincerConfig } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import type { CronService } from "./cron/service.js";
import type { Heartbeats } from "./heartbeat/heartbeat.js";
import { SystemEvents, systemEventsMessage } from "./system-events.js";

export interface AutomationDeps {
  runtime: () => AgentRuntime | undefined;
  channels: () => ChannelManager | undefined;
  config: () => PincerConfig;
  /** The cron folder (jobs.json, runs/). */
  cronDir: string;
  log: Logger;
  /** Broadcasts a gateway event (`cron`, `heartbeat`). */
  broadcast: (event: string, payload: unknown) => void;
  /** Calls `fn` for every gateway event; returns the unsubscribe function. */
  subscribe: (fn: (event: string, payload: unknown) => void) => () => void;
  /** Fires when the gateway shuts down. */
  signal: AbortSignal;
}

/**
 * What runs the assistant without a person writing to it: system events for the main session (webhook wakes,
 * main-session cron jobs) and the turns that deliver them. One per gateway, built at start.
 */
export class Automation {
  readonly systemEvents = new SystemEvents();
  private cronService: Promise<CronService> | undefined;
  private heartbeats: Heartbeats | undefined;

  constructor(readonly deps: AutomationDeps) {
    deps.signal.addEventListener("abort", () => void this.cronService?.then((c) => c.stop()), { once: true });
  }

  /**
   * Starts what runs on its own: the cron scheduler when jobs are stored (without jobs.json nothing cron-related
   * loads until the first cron call or tool use).
   */
  async start(): Promise<void> {
    if (existsSync(join(this.deps.cronDir, "jobs.json"))) await this.cron();
    // The heartbeat's first beat is an interval away: loading it need not hold up the gateway's start.
    void import("./heartbeat/heartbeat.js")
      .then(({ Heartbeats }) => {
        if (this.deps.signal.aborted) return;
        this.heartbeats = new Heartbeats({ ...this.deps, systemEvents: this.systemEvents });
        this.heartbeats.start();
      })
      .catch((err) => this.deps.log.error({ err }, "starting the heartbeat failed"));
  }

  /** The cron scheduler, loaded and started on first use. */
  cron(): Promise<CronService> {
    this.cronService ??= (async () => {
      const [{ CronService }, { CronConfigSchema }] = await Promise.all([
        import("./cron/service.js"),
        import("./cron/config-schema.js"),
      ]);
      const service = new CronService({
        dir: this.deps.cronDir,
        config: () => CronConfigSchema.parse(this.deps.config().cron ?? {}),
        runDeps: () => {
          const runtime = this.deps.runtime();
          if (!runtime) return undefined;
          return {
            runtime,
            channels: this.deps.channels,
            wake: (agentId, text, mode) => this.wake(agentId, text, mode),
            config: CronConfigSchema.parse(this.deps.config().cron ?? {}),
            log: this.deps.log,
          };
        },
        log: this.deps.log.child({ subsystem: "cron" }),
        emit: (payload) => this.deps.broadcast("cron", payload),
      });
      await service.start();
      if (this.deps.signal.aborted) service.stop();
      return service;
    })();
    this.cronService.catch(() => {
      this.cronService = undefined;
    });
    return this.cronService;
  }

  /** The agent's heartbeat settings, or undefined when it has none (or the heartbeat has not loaded yet). */
  heartbeatOf(agentId: string) {
    return this.heartbeats?.resolve(agentId);
  }

  /** Queues a system event; mode "now" delivers it (with any others pending) in a main-session turn at once. */
  wake(agentId: string, text: string, mode: "now" | "next-heartbeat"): "queued" | "coalesced" {
    const outcome = this.systemEvents.enqueue(agentId, text);
    // Without a heartbeat for the agent, "next heartbeat" would be never: deliver now instead.
    if (mode === "now" || !this.heartbeats?.resolve(agentId)) this.deliverSystemEvents(agentId);
    return outcome;
  }

  /** Runs a main-session turn carrying the agent's pending system events; returns its run id, if one started. */
  deliverSystemEvents(agentId: string): string | undefined {
    const runtime = this.deps.runtime();
    if (!runtime || this.deps.signal.aborted) return undefined;
    const events = this.systemEvents.drain(agentId);
    if (events.length === 0) return undefined;
    try {
      const ack = runtime.send({
        sessionKey: "main",
        agentId,
        message: systemEventsMessage(events),
        idempotencyKey: `system-${agentId}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
        queueMode: "followup",
        channel: "system",
      });
      return ack.runId;
    } catch (err) {
      // Put them back: the next wake or heartbeat delivers them.
      for (const e of events) this.systemEvents.enqueue(agentId, e);
      this.deps.log.warn({ err, agentId }, "delivering system events failed; they stay queued");
      return undefined;
    }
  }
}
