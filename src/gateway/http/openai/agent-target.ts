import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AgentInfo } from "../../../agent/agents.js";
import { normalizeAgentId } from "../../../sessions/keys.js";
import { invalidRequest, OpenAiHttpError } from "./errors.js";

/**
 * The OpenAI `model` field names an agent, not a provider model: `pincer/<agentId>` (and `pincer/default`
 * for whichever agent is the default). OpenClaw's spellings (`openclaw`, `openclaw/<id>`, `openclaw:<id>`,
 * `agent:<id>`) are accepted too, so clients configured for OpenClaw keep working.
 */
export const MODEL_PREFIX = "pincer";
const DEFAULT_ALIAS = "default";
const PREFIXES = [MODEL_PREFIX, "openclaw"];

/** Ids of every model `/v1/models` lists, default alias first. */
export function modelIds(agents: AgentInfo[]): string[] {
  return [`${MODEL_PREFIX}/${DEFAULT_ALIAS}`, ...agents.map((a) => `${MODEL_PREFIX}/${a.id}`)];
}

/** The agent a model id names, or undefined when it names none of them. */
export function agentForModel(model: string, agents: AgentInfo[]): AgentInfo | undefined {
  const trimmed = model.trim();
  const fallback = agents.find((a) => a.isDefault) ?? agents[0];
  let id: string | undefined;
  for (const prefix of PREFIXES) {
    if (trimmed.toLowerCase() === prefix) return fallback;
    const head = trimmed.slice(0, prefix.length + 1).toLowerCase();
    if (head === `${prefix}/` || head === `${prefix}:`) id = trimmed.slice(prefix.length + 1);
  }
  if (id === undefined && trimmed.toLowerCase().startsWith("agent:")) id = trimmed.slice("agent:".length);
  if (id === undefined || !id) return undefined;
  if (id.toLowerCase() === DEFAULT_ALIAS) return fallback;
  const wanted = normalizeAgentId(id);
  return agents.find((a) => a.id === wanted);
}

export function modelNotFound(model: string): OpenAiHttpError {
  return new OpenAiHttpError(
    404,
    "invalid_request_error",
    "model_not_found",
    `The model \`${model}\` does not exist: models here are agents, e.g. ${MODEL_PREFIX}/${DEFAULT_ALIAS} or ${MODEL_PREFIX}/<agentId> (GET /v1/models lists them)`,
    "model",
  );
}

/** Session namespaces the gateway itself writes; an API client must not post into them. */
const RESERVED_SESSION_HEADS = ["cron:", "hook:", "subagent:", "acp:", "heartbeat"];

export interface RunTarget {
  agent: AgentInfo;
  /** Session key relative to the agent (`openai:…`), or an explicit one from the session header. */
  sessionKey: string;
  /** True when the session carries its own history across requests (a `user`, a session header, a previous response). */
  stateful: boolean;
  modelOverride?: string;
  channel: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  for (const prefix of ["x-pincer-", "x-openclaw-"]) {
    const value = req.headers[`${prefix}${name}`];
    const text = Array.isArray(value) ? value[0] : value;
    if (text?.trim()) return text.trim();
  }
  return undefined;
}

/**
 * Where an API request runs: the agent (from `model`, or the `x-pincer-agent-id` header), the session (a
 * fresh one per request unless `user` or `x-pincer-session-key` pins it), an optional backend model override
 * (`x-pincer-model: provider/model`) and the channel the prompt is told about.
 */
export function resolveRunTarget(
  req: IncomingMessage,
  body: { model: string; user?: string | undefined },
  agents: AgentInfo[],
  opts: { surface: "openai" | "responses"; sessionKey?: string },
): RunTarget {
  const byHeader = header(req, "agent-id");
  let agent = agentForModel(body.model, agents);
  if (byHeader) {
    agent = agents.find((a) => a.id === normalizeAgentId(byHeader));
    if (!agent) {
      throw invalidRequest(
        `x-pincer-agent-id names unknown agent "${byHeader}"; configured agents: ${agents.map((a) => a.id).join(", ")}`,
      );
    }
  }
  if (!agent) throw modelNotFound(body.model);

  const modelOverride = header(req, "model");
  if (modelOverride && !/^[^/\s]+\/\S+$/.test(modelOverride)) {
    throw invalidRequest(`x-pincer-model "${modelOverride}" is not provider/model, e.g. anthropic/claude-sonnet-4-5`);
  }
  const channel = header(req, "message-channel") ?? "webchat";

  const explicit = opts.sessionKey ?? header(req, "session-key");
  let sessionKey: string;
  let stateful = true;
  if (explicit) {
    const bare = explicit.replace(/^agent:[^:]+:/i, "").toLowerCase();
    if (RESERVED_SESSION_HEADS.some((h) => bare.startsWith(h))) {
      throw invalidRequest(`session key "${explicit}" is in a namespace the gateway reserves (cron, hooks, heartbeat)`);
    }
    sessionKey = explicit;
  } else if (body.user?.trim()) {
    // Hashed: the user string is the client's (any characters, any length) and must not shape the key.
    const digest = createHash("sha256").update(body.user.trim()).digest("hex").slice(0, 24);
    sessionKey = `${opts.surface}:user:${digest}`;
  } else {
    sessionKey = `${opts.surface}:${randomUUID()}`;
    stateful = false;
  }
  return { agent, sessionKey, stateful, channel, ...(modelOverride ? { modelOverride } : {}) };
}
