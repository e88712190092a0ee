import { z } from "zod";
import { healthSnapshot } from "../health.js";
import { defineMethod } from "./types.js";

export const healthMethod = defineMethod({
  name: "health",
  scope: "operator.read",
  params: z.looseObject({ probe: z.boolean().optional() }),
  // hello-ok carries the cheap snapshot; the method adds each agent's heartbeat and session store.
  handler: async (_params, { services }) => ({
    ...healthSnapshot(services),
    ...(await (await import("./health-agents.js")).healthAgents(services)),
  }),
});

export const statusMethod = defineMethod({
  name: "status",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: async (_params, { services }) => {
    const { host, port } = services.address();
    const mem = process.memoryUsage();
    return {
      ok: true,
      version: services.version,
      bootId: services.bootId,
      pid: process.pid,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      uptimeMs: Date.now() - services.startedAt,
      gateway: {
        host,
        port,
        url: `ws://${host.includes(":") ? `[${host}]` : host}:${port}`,
        authMode: services.auth.mode,
      },
      stateDir: services.paths.stateDir,
      configPath: services.paths.configPath,
      configHash: services.config.current.hash,
      connections: services.events.size,
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed },
      methods: services.methodNames().length,
      agent: services.agent?.statusSummary() ?? null,
      // What OpenClaw's `openclaw status` reads from a remote gateway (sessions.byAgent …).
      ...(await (await import("./status-summary.js")).openclawStatusParts(services)),
    };
  },
});

export const presenceMethod = defineMethod({
  name: "system-presence",
  scope: "operator.read",
  params: z.looseObject({}),
  handler: (_params, { services }) => services.presence.list(),
});
