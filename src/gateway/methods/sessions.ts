import { z } from "zod";
import { PincerError } from "../../errors.js";
import { agentOf } from "./agent-access.js";
import { compactViaQueue } from "./chat.js";
import { defineMethod } from "./types.js";

const KeyParams = { key: z.string().min(1), agentId: z.string().min(1).optional() };

export const sessionsListMethod = defineMethod({
  name: "sessions.list",
  scope: "operator.read",
  params: z.looseObject({
    limit: z.number().int().min(1).optional(),
    offset: z.number().int().min(0).optional(),
    activeMinutes: z.number().int().min(1).optional(),
    search: z.string().optional(),
    agentId: z.string().min(1).optional(),
  }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const agents = p.agentId ? [runtime.resolveKey("main", p.agentId).agent] : runtime.agents();
    const rows = [];
    let total = 0;
    for (const agent of agents) {
      const store = await runtime.store(agent.id);
      const list = store.list({ activeMinutes: p.activeMinutes, search: p.search });
      total += list.total;
      for (const item of list.items) rows.push({ key: item.key, kind: item.kind, agentId: agent.id, ...item.entry });
    }
    rows.sort((a, b) => b.updatedAt - a.updatedAt);
    const offset = p.offset ?? 0;
    const sessions = rows.slice(offset, p.limit === undefined ? undefined : offset + p.limit);
    return { ts: Date.now(), path: services.paths.agentsDir, count: total, sessions };
  },
});

export const sessionsPreviewMethod = defineMethod({
  name: "sessions.preview",
  scope: "operator.read",
  params: z.looseObject({
    keys: z.array(z.string().min(1)).min(1).max(100),
    limit: z.number().int().min(1).optional(),
    maxChars: z.number().int().min(20).optional(),
  }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const previews = [];
    for (const raw of p.keys) {
      const { key, agent } = runtime.resolveKey(raw);
      const store = await runtime.store(agent.id);
      const [preview] = await store.preview([key], {
        ...(p.limit ? { limit: p.limit } : {}),
        ...(p.maxChars ? { maxChars: p.maxChars } : {}),
      });
      if (preview) previews.push({ ...preview, key: raw });
    }
    return { ts: Date.now(), previews };
  },
});

export const sessionsPatchMethod = defineMethod({
  name: "sessions.patch",
  scope: "operator.write",
  params: z.looseObject({
    ...KeyParams,
    label: z.string().min(1).max(512).nullable().optional(),
    displayName: z.string().min(1).max(512).nullable().optional(),
    model: z.string().min(1).max(256).nullable().optional(),
    thinkingLevel: z.string().min(1).max(64).nullable().optional(),
  }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const { key, agent } = runtime.resolveKey(p.key, p.agentId);
    if (p.model && !/^[^/\s]+\/\S+$/.test(p.model)) {
      throw new PincerError("INVALID_REQUEST", `params.model "${p.model}" is not provider/model (e.g. openai/gpt-5.4)`);
    }
    const fields: Record<string, unknown> = {};
    for (const f of ["label", "displayName", "model", "thinkingLevel"] as const)
      if (p[f] !== undefined) fields[f] = p[f];
    const store = await runtime.store(agent.id);
    const entry = await store.patch(key, fields);
    return { ok: true, key, entry };
  },
});

export const sessionsResetMethod = defineMethod({
  name: "sessions.reset",
  scope: "operator.write",
  params: z.looseObject({ ...KeyParams, reason: z.enum(["new", "reset"]).optional() }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const { key, result } = await runtime.stopThen(p.key, p.agentId, async (key, agent) => {
      const store = await runtime.store(agent.id);
      return { key, result: await store.reset(key, p.reason ?? "reset") };
    });
    return {
      ok: true,
      key,
      entry: result.entry,
      ...(result.previousSessionId ? { previousSessionId: result.previousSessionId } : {}),
    };
  },
});

export const sessionsDeleteMethod = defineMethod({
  name: "sessions.delete",
  scope: "operator.admin",
  params: z.looseObject({ ...KeyParams, deleteTranscript: z.boolean().optional() }),
  handler: async (p, { services }) => {
    const runtime = agentOf(services);
    const { key, result } = await runtime.stopThen(p.key, p.agentId, async (key, agent) => {
      const store = await runtime.store(agent.id);
      return { key, result: await store.delete(key, { deleteTranscript: p.deleteTranscript ?? false }) };
    });
    return { ok: true, key, ...result };
  },
});

export const sessionsCompactMethod = defineMethod({
  name: "sessions.compact",
  scope: "operator.write",
  params: z.looseObject({ ...KeyParams }),
  handler: (p, { services }) => compactViaQueue(services, p.key, p.agentId),
});
