import type { GatewayServices } from "../services.js";
import { formatEvery } from "./health-agents.js";

/**
 * The parts of OpenClaw's status summary its CLI reads from a remote gateway's `status`: `openclaw status`
 * fails without `sessions.byAgent`, `channelSummary`, `heartbeat`, `tasks`. Session details are redacted the
 * way OpenClaw's own gateway redacts them for operator.read callers (counts; no paths, no recent rows), and the
 * channel summary is left empty as OpenClaw's online status does (`openclaw channels status` has the detail).
 * Pincer has no background-task registry, so its task counts are zero.
 */

const NO_TASKS = {
  total: 0,
  active: 0,
  terminal: 0,
  failures: 0,
  byStatus: { queued: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, lost: 0 },
  byRuntime: { subagent: 0, acp: 0, cli: 0, cron: 0 },
};

const NO_TASK_AUDIT = {
  total: 0,
  warnings: 0,
  errors: 0,
  byCode: {
    stale_queued: 0,
    stale_running: 0,
    lost: 0,
    delivery_failed: 0,
    missing_cleanup: 0,
    inconsistent_timestamps: 0,
  },
};

export interface StatusSessionsByAgent {
  agentId: string;
  path: string;
  count: number;
  recent: never[];
}

/** One agent's heartbeat as `openclaw status` prints it ("30m (main)" or "disabled (main)"). */
export interface StatusHeartbeatAgent {
  agentId: string;
  enabled: boolean;
  every: string;
  everyMs: number | null;
}

export interface OpenClawStatusParts {
  heartbeat: { defaultAgentId: string; agents: StatusHeartbeatAgent[] };
  channelSummary: never[];
  degradedSecretOwners: never[];
  tasks: typeof NO_TASKS;
  taskAudit: typeof NO_TASK_AUDIT;
  sessions: {
    paths: string[];
    count: number;
    defaults: { model: string | null; contextTokens: number | null };
    recent: never[];
    byAgent: StatusSessionsByAgent[];
  };
  /** Pending system events (wake, main-session cron jobs) of every agent, oldest first per agent. */
  queuedSystemEvents: string[];
}

export async function openclawStatusParts(services: GatewayServices): Promise<OpenClawStatusParts> {
  const { listAgents } = await import("../../agent/agents.js");
  const agents = listAgents(services.config.current.config, services.paths);
  const runtime = services.agent;
  const byAgent = await Promise.all(
    agents.map(async (a) => ({
      agentId: a.id,
      path: "[redacted]",
      // Without a running agent runtime there is no open store to count from: report none rather than open one.
      count: runtime ? (await runtime.store(a.id)).list({ limit: 1 }).total : 0,
      recent: [] as never[],
    })),
  );
  const model = runtime?.modelStatus();
  const defaultAgent = agents.find((a) => a.isDefault) ?? agents[0];
  return {
    heartbeat: {
      defaultAgentId: defaultAgent?.id ?? "main",
      agents: agents.map((a) => {
        const beat = services.automation?.heartbeatOf(a.id);
        return beat
          ? { agentId: a.id, enabled: true, every: formatEvery(beat.everyMs), everyMs: beat.everyMs }
          : { agentId: a.id, enabled: false, every: "0m", everyMs: null };
      }),
    },
    channelSummary: [],
    degradedSecretOwners: [],
    tasks: structuredClone(NO_TASKS),
    taskAudit: structuredClone(NO_TASK_AUDIT),
    sessions: {
      paths: [],
      count: byAgent.reduce((n, a) => n + a.count, 0),
      defaults: {
        model: model?.ref ?? null,
        contextTokens: runtime && defaultAgent ? (runtime.contextWindow(defaultAgent.id) ?? null) : null,
      },
      recent: [],
      byAgent,
    },
    queuedSystemEvents: agents.flatMap((a) => services.automation?.systemEvents.peek(a.id) ?? []),
  };
}
