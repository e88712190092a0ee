import { join } from "node:path";
import type { GatewayServices } from "../services.js";

/**
 * The per-agent part of the `health` answer (OpenClaw's HealthSnapshot `agents` and `sessions`): each agent's
 * heartbeat settings and session store (count and the most recent sessions). `openclaw health` prints these;
 * without them it falls back to reading its own local store, which says nothing about this gateway.
 */

const RECENT_SESSIONS = 5;

interface RecentSession {
  key: string;
  updatedAt: number | null;
  age: number | null;
}

interface StoreSummary {
  path: string;
  count: number;
  recent: RecentSession[];
}

export interface HealthAgent {
  agentId: string;
  name?: string;
  isDefault: boolean;
  heartbeat: {
    enabled: boolean;
    every: string;
    everyMs: number | null;
    prompt: string;
    target: string;
    model?: string;
    ackMaxChars: number;
  };
  sessions: StoreSummary;
}

/** "30m", "1h", "90s": the shortest whole unit, as OpenClaw writes durations. */
export function formatEvery(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

export async function healthAgents(
  services: GatewayServices,
): Promise<{ agents: HealthAgent[]; sessions?: StoreSummary }> {
  const { listAgents } = await import("../../agent/agents.js");
  const { DEFAULT_ACK_MAX_CHARS, DEFAULT_HEARTBEAT_PROMPT } = await import(
    "../../automation/heartbeat/config-schema.js"
  );
  const runtime = services.agent;
  const now = Date.now();
  const agents = await Promise.all(
    listAgents(services.config.current.config, services.paths).map(async (a): Promise<HealthAgent> => {
      const beat = services.automation?.heartbeatOf(a.id);
      // Without a running runtime there is no open store to read: report none rather than open one here.
      const list = runtime ? (await runtime.store(a.id)).list({ limit: RECENT_SESSIONS }) : undefined;
      return {
        agentId: a.id,
        ...(a.name ? { name: a.name } : {}),
        isDefault: a.isDefault,
        heartbeat: beat
          ? {
              enabled: true,
              every: formatEvery(beat.everyMs),
              everyMs: beat.everyMs,
              prompt: beat.prompt,
              target: beat.target,
              ...(beat.model ? { model: beat.model } : {}),
              ackMaxChars: beat.ackMaxChars,
            }
          : {
              enabled: false,
              every: "0m",
              everyMs: null,
              prompt: DEFAULT_HEARTBEAT_PROMPT,
              target: "none",
              ackMaxChars: DEFAULT_ACK_MAX_CHARS,
            },
        sessions: {
          path: join(services.paths.agentsDir, a.id, "sessions"),
          count: list?.total ?? 0,
          recent: (list?.items ?? []).map((s) => ({
            key: s.key,
            updatedAt: s.entry.updatedAt,
            age: Math.max(0, now - s.entry.updatedAt),
          })),
        },
      };
    }),
  );
  const main = agents.find((a) => a.isDefault) ?? agents[0];
  return { agents, ...(main ? { sessions: main.sessions } : {}) };
}
