import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { AgentInfo } from "../../agent/agents.js";
import type { AgentRuntime } from "../../agent/runtime.js";
import { PincerError } from "../../errors.js";
import { formatIssues } from "../../gateway/protocol/frames.js";
import type { Logger } from "../../logging/logger.js";
import { buildHookSessionKey, normalizeAgentId } from "../../sessions/keys.js";
import { type AnnounceDeps, announce } from "../delivery.js";
import { wrapUntrustedTag } from "../untrusted-tag.js";
import type { HooksConfig } from "./config-schema.js";
import { findMapping, mappingEntries } from "./mappings.js";
import { renderTemplate, type TemplateContext } from "./templates.js";

/** What a webhook can do: run an agent turn, or hand a system event to the agent's main session. */
export interface HookDeps extends AnnounceDeps {
  runtime: AgentRuntime;
  log: Logger;
  /** Queues a system event for the agent's main session; mode "now" also starts a system turn at once. */
  wake(agentId: string, text: string, mode: "now" | "next-heartbeat"): "queued" | "coalesced";
}

export interface HookRequest {
  /** The path after hooks.path, without slashes: "agent", "wake", or a mapping's name. */
  subPath: string;
  payload: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
}

export interface HookResult {
  status: number;
  body: Record<string, unknown>;
}

const AgentPayload = z.looseObject({
  message: z.string().trim().min(1, "message must be non-empty text"),
  name: z.string().max(200).optional(),
  agentId: z.string().min(1).optional(),
  sessionKey: z.string().min(1).max(256).optional(),
  sessionMode: z.enum(["isolated", "persistent"]).default("isolated"),
  idempotencyKey: z.string().trim().min(1).max(256).optional(),
  waitForCompletion: z.boolean().default(false),
  deliver: z.boolean().default(true),
  channel: z.string().min(1).optional(),
  to: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  thinking: z.string().optional(),
  timeoutSeconds: z.number().positive().optional(),
});

const WakePayload = z.looseObject({
  text: z.string().trim().min(1, "text must be non-empty"),
  mode: z.enum(["now", "next-heartbeat"]).default("now"),
  agentId: z.string().min(1).optional(),
});

/** How long a `waitForCompletion` request is held open at most; the run itself goes on past it. */
const COMPLETION_WAIT_MS = 10 * 60_000;

interface AgentAction {
  name: string;
  message: string;
  agentId?: string | undefined;
  /** The logical key for persistent sessions; from the request or payload when `keyFromRequest`. */
  sessionKey?: string | undefined;
  keyFromRequest: boolean;
  sessionMode: "isolated" | "persistent";
  deliver: boolean;
  channel?: string | undefined;
  to?: string | undefined;
  accountId?: string | undefined;
  model?: string | undefined;
  idempotencyKey?: string | undefined;
}

const bad = (message: string): HookResult => ({ status: 400, body: { ok: false, error: message } });

export async function dispatchHook(deps: HookDeps, config: HooksConfig, req: HookRequest): Promise<HookResult> {
  const idempotencyKey = headerKey(req.headers);
  if (req.subPath === "wake") {
    const parsed = WakePayload.safeParse(req.payload ?? {});
    if (!parsed.success) return bad(formatIssues(parsed.error, "body"));
    const agent = pickAgent(deps.runtime, config, parsed.data.agentId);
    const text = wrapUntrustedTag(parsed.data.text, "webhook:wake");
    const eventOutcome = deps.wake(agent.id, text, parsed.data.mode);
    return { status: 200, body: { ok: true, mode: parsed.data.mode, eventOutcome } };
  }
  if (req.subPath === "agent") {
    const parsed = AgentPayload.safeParse(req.payload ?? {});
    if (!parsed.success) return bad(formatIssues(parsed.error, "body"));
    const p = parsed.data;
    const name = p.name ?? "Hook";
    const action: AgentAction = {
      name,
      message: wrapUntrustedTag(p.message, `webhook:${name}`),
      agentId: p.agentId,
      sessionKey: p.sessionKey,
      keyFromRequest: p.sessionKey !== undefined,
      sessionMode: p.sessionMode,
      deliver: p.deliver,
      channel: p.channel,
      to: p.to,
      accountId: p.accountId,
      model: p.model,
      idempotencyKey: idempotencyKey ?? p.idempotencyKey,
    };
    return runAgentAction(deps, config, action, req.subPath, p.waitForCompletion);
  }

  const entry = findMapping(mappingEntries(config), req.subPath, req.payload);
  if (!entry)
    return { status: 404, body: { ok: false, error: `no hook mapping matches ${config.path}/${req.subPath}` } };
  const m = entry.mapping;
  const ctx: TemplateContext = {
    payload: entry.prepare(req.payload),
    headers: req.headers,
    query: req.query,
    path: req.subPath,
    now: new Date(),
  };
  const missing = new Set<string>();
  const render = (template: string | undefined) => {
    if (template === undefined) return undefined;
    const out = renderTemplate(template, ctx);
    for (const f of out.missing) missing.add(f);
    return out.text;
  };
  const name = render(m.name)?.trim() || entry.id;
  if (m.action === "wake") {
    const text = render(m.textTemplate)?.trim();
    if (!text) return bad(`hook mapping "${entry.id}" rendered an empty wake text${missingNote(missing)}`);
    const agent = pickAgent(deps.runtime, config, m.agentId);
    const eventOutcome = deps.wake(agent.id, wrapUntrustedTag(text, `webhook:${name}`), m.wakeMode);
    return { status: 200, body: { ok: true, mode: m.wakeMode, eventOutcome, ...missingField(missing) } };
  }
  const rendered = render(m.messageTemplate ?? "{{payload}}")?.trim() ?? "";
  if (!rendered) return bad(`hook mapping "${entry.id}" rendered an empty message${missingNote(missing)}`);
  let sessionKey: string | undefined;
  if (m.sessionKey !== undefined && m.sessionMode === "persistent") {
    const before = missing.size;
    sessionKey = render(m.sessionKey)?.trim();
    if (!sessionKey || missing.size > before) {
      return bad(
        `hook mapping "${entry.id}": its sessionKey template has no value for ${[...missing].slice(before).join(", ") || "it"}`,
      );
    }
  }
  if (missing.size > 0) {
    deps.log.warn(
      { mapping: entry.id, missing: [...missing] },
      "hook mapping template fields missing from the payload",
    );
  }
  const result = await runAgentAction(
    deps,
    config,
    {
      name,
      message: m.allowUnsafeExternalContent ? rendered : wrapUntrustedTag(rendered, `webhook:${name}`),
      agentId: m.agentId,
      sessionKey,
      // A templated key comes from the payload, so the caller chose it; a static one is the operator's.
      keyFromRequest: m.sessionKey !== undefined && /\{\{/.test(m.sessionKey),
      sessionMode: m.sessionMode,
      deliver: m.deliver,
      channel: render(m.channel),
      to: render(m.to),
      model: render(m.model),
      idempotencyKey,
    },
    req.subPath,
    false,
  );
  return { ...result, body: { ...result.body, ...missingField(missing) } };
}

async function runAgentAction(
  deps: HookDeps,
  config: HooksConfig,
  action: AgentAction,
  subPath: string,
  waitForCompletion: boolean,
): Promise<HookResult> {
  let agent: AgentInfo;
  try {
    agent = pickAgent(deps.runtime, config, action.agentId);
  } catch (err) {
    return bad(err instanceof Error ? err.message : String(err));
  }
  const wantsDelivery = action.deliver && (action.channel !== undefined || action.to !== undefined);
  if (wantsDelivery && (!action.channel || (!action.to && action.channel !== "last"))) {
    return bad("delivery needs both channel and to (or deliver: false)");
  }
  let logical: string;
  if (action.sessionMode === "persistent") {
    const key = action.sessionKey ?? config.defaultSessionKey;
    if (!key) return bad("sessionMode persistent needs a sessionKey (or hooks.defaultSessionKey)");
    if (action.keyFromRequest && action.sessionKey !== undefined && !config.allowRequestSessionKey) {
      return bad("this request chooses its session key, which needs hooks.allowRequestSessionKey: true");
    }
    const prefixes = (config.allowedSessionKeyPrefixes ?? []).map((p) => p.trim().toLowerCase()).filter(Boolean);
    const bare = key.replace(/^hook:/i, "");
    if (prefixes.length > 0 && !prefixes.some((p) => bare.toLowerCase().startsWith(p.replace(/^hook:/, "")))) {
      return bad(`session key "${key}" does not start with one of hooks.allowedSessionKeyPrefixes`);
    }
    logical = bare;
  } else {
    logical = `${subPath}:${randomUUID()}`;
  }
  const sessionKey = buildHookSessionKey(agent.id, logical);
  const runId = action.idempotencyKey
    ? `hook-${createHash("sha256").update(`${subPath}\n${action.idempotencyKey}`).digest("hex").slice(0, 40)}`
    : `hook-${randomUUID()}`;
  const ack = deps.runtime.send({
    sessionKey,
    agentId: agent.id,
    message: action.message,
    idempotencyKey: runId,
    queueMode: "followup",
    channel: "webhook",
    ...(action.model ? { modelOverride: action.model } : {}),
  });
  const run = deps.runtime.runs.get(ack.runId);
  const settle = async () => {
    const outcome = run ? await deps.runtime.runs.wait(run, COMPLETION_WAIT_MS) : undefined;
    const text = outcome?.status === "ok" ? outcome.text.trim() : "";
    if (outcome && wantsDelivery && text && !ack.cached) {
      try {
        await announce(deps, agent.id, { channel: action.channel!, to: action.to, accountId: action.accountId }, text);
      } catch (err) {
        deps.log.warn({ err, runId: ack.runId, hook: action.name }, "hook result delivery failed");
        return { outcome, deliveryError: "delivery-failed" };
      }
      return { outcome, delivered: true };
    }
    return { outcome };
  };
  const settled = settle();
  settled.then(({ outcome }) =>
    deps.log.info(
      { runId: ack.runId, hook: action.name, status: outcome?.status ?? "pending" },
      "hook agent run completed",
    ),
  );
  if (!waitForCompletion)
    return { status: 200, body: { ok: true, runId: ack.runId, ...(ack.cached ? { replayed: true } : {}) } };
  const done = await settled;
  const completion = {
    status: done.outcome?.status ?? "pending",
    replyDisposition: done.outcome?.text.trim() ? "visible" : "empty",
    ...(wantsDelivery ? { deliveryAttempted: true, delivered: done.delivered === true } : {}),
    ...(done.deliveryError ? { deliveryError: done.deliveryError } : {}),
  };
  return { status: 200, body: { ok: true, runId: ack.runId, completion } };
}

/** The agent a hook runs: named (it must exist) or the default, and allowed by hooks.allowedAgentIds. */
function pickAgent(runtime: AgentRuntime, config: HooksConfig, agentId: string | undefined): AgentInfo {
  const agents = runtime.agents();
  const agent = agentId
    ? agents.find((a) => a.id === normalizeAgentId(agentId))
    : (agents.find((a) => a.isDefault) ?? agents[0]);
  if (!agent) {
    throw new PincerError(
      "INVALID_REQUEST",
      `unknown agent "${agentId}"; configured agents: ${agents.map((a) => a.id).join(", ")}`,
    );
  }
  const allowed = config.allowedAgentIds;
  if (allowed && !allowed.includes("*") && !allowed.map(normalizeAgentId).includes(agent.id)) {
    throw new PincerError("INVALID_REQUEST", `agent "${agent.id}" is not in hooks.allowedAgentIds`);
  }
  return agent;
}

function headerKey(headers: Record<string, string>): string | undefined {
  for (const name of ["idempotency-key", "x-pincer-idempotency-key", "x-openclaw-idempotency-key"]) {
    const value = headers[name]?.trim();
    if (value && value.length <= 256) return value;
  }
  return undefined;
}

function missingNote(missing: Set<string>): string {
  return missing.size > 0 ? `; the payload has no value for ${[...missing].join(", ")}` : "";
}

function missingField(missing: Set<string>): Record<string, unknown> {
  return missing.size > 0 ? { missingFields: [...missing] } : {};
}
