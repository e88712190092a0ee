import { z } from "zod";
import { defineMethod } from "./types.js";

/**
 * skills.status and skills.update (OpenClaw's names and shapes). Skill loading is imported on the first call,
 * not at gateway start.
 */

export const skillsStatusMethod = defineMethod({
  name: "skills.status",
  scope: "operator.read",
  params: z.strictObject({ agentId: z.string().min(1).optional(), sessionKey: z.string().min(1).optional() }),
  handler: async (p, ctx) => {
    const [{ defaultAgent, findAgent }, { skillsStatus }, { parseSessionKey }] = await Promise.all([
      import("../../agent/agents.js"),
      import("../../skills/status.js"),
      import("../../sessions/keys.js"),
    ]);
    const config = ctx.services.config.current.config;
    const fallback = p.agentId
      ? findAgent(config, ctx.services.paths, p.agentId)
      : defaultAgent(config, ctx.services.paths);
    // A session key names its agent ("agent:<id>:…"); it wins over the default.
    const agentId = p.sessionKey
      ? parseSessionKey(p.sessionKey, { defaultAgentId: fallback.id, mainKey: config.session.mainKey }).agentId
      : fallback.id;
    return skillsStatus({ config, paths: ctx.services.paths, agentId, env: process.env });
  },
});

export const skillsUpdateMethod = defineMethod({
  name: "skills.update",
  scope: "operator.admin",
  params: z.strictObject({
    skillKey: z.string().min(1),
    enabled: z.boolean().optional(),
    apiKey: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
  }),
  handler: async (p, ctx) => {
    const entry: Record<string, unknown> = {};
    if (p.enabled !== undefined) entry.enabled = p.enabled;
    if (p.apiKey !== undefined) entry.apiKey = p.apiKey;
    if (p.env !== undefined) entry.env = p.env;
    // A merge patch on the config file: validated in full, written atomically, picked up by hot reload.
    await ctx.services.config.patch(JSON.stringify({ skills: { entries: { [p.skillKey]: entry } } }));
    const saved = ctx.services.config.current.config.skills.entries[p.skillKey];
    // The key itself is never echoed back.
    return { ok: true, skillKey: p.skillKey, enabled: saved?.enabled ?? true, hasApiKey: Boolean(saved?.apiKey) };
  },
});

export const skillsMethods = [skillsStatusMethod, skillsUpdateMethod];
