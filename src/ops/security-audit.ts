import type { PincerConfig } from "../config/schema.js";
import { isLoopbackHost, resolveAuth, resolveBindHost } from "../gateway/auth.js";
import { resolveExecPolicy } from "../tools/exec-settings.js";
import { decideTool } from "../tools/policy.js";
import type { Finding } from "./findings.js";

/**
 * `pincer security audit`: settings that make the gateway easy to abuse. Pure over the loaded config (and the
 * environment, for auth that comes from env variables), so each rule has a table-driven test; file permissions
 * and skill scan records are checked beside it (permission-checks.ts, skill-checks.ts).
 */

/** Shorter tokens and passwords are guessable by a patient attacker on the network. */
const MIN_TOKEN_CHARS = 24;
const MIN_PASSWORD_CHARS = 12;
const WEAK_SECRETS =
  /^(change[-_ ]?me|password|passw0rd|secret|token|admin|test|letmein|default|pincer|openclaw|12345)/i;

interface Account {
  channel: string;
  accountId: string;
  cfg: Record<string, unknown>;
}

/** Every enabled channel account with its effective settings (account fields over the channel's). */
export function channelAccounts(config: PincerConfig): Account[] {
  const out: Account[] = [];
  for (const [channel, raw] of Object.entries(config.channels ?? {})) {
    if (typeof raw !== "object" || raw === null) continue;
    const section = raw as Record<string, unknown>;
    if (section.enabled === false) continue;
    const { accounts, ...base } = section;
    const extra =
      typeof accounts === "object" && accounts !== null ? Object.entries(accounts as Record<string, unknown>) : [];
    if (extra.length === 0) out.push({ channel, accountId: "default", cfg: base });
    for (const [accountId, acc] of extra) {
      const cfg = { ...base, ...(acc as Record<string, unknown>) };
      if (cfg.enabled !== false) out.push({ channel, accountId, cfg });
    }
  }
  return out;
}

function weakness(secret: string, kind: "token" | "password"): string | undefined {
  const min = kind === "token" ? MIN_TOKEN_CHARS : MIN_PASSWORD_CHARS;
  if (WEAK_SECRETS.test(secret)) return `is a well-known default or word ("${secret.slice(0, 4)}…")`;
  if (new Set(secret).size <= 3) return "repeats the same few characters";
  if (secret.length < min) return `has ${secret.length} characters (use at least ${min})`;
  return undefined;
}

/** Strings in the config that are secrets of something other than the gateway itself. */
function otherSecrets(config: PincerConfig): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  for (const [id, p] of Object.entries(config.models.providers)) {
    for (const [i, key] of (Array.isArray(p.apiKey) ? p.apiKey : p.apiKey ? [p.apiKey] : []).entries()) {
      out.push({ path: `models.providers.${id}.apiKey${Array.isArray(p.apiKey) ? `[${i}]` : ""}`, value: key });
    }
  }
  for (const a of channelAccounts(config)) {
    for (const field of ["botToken", "token", "appToken", "signingSecret", "webhookSecret", "password"]) {
      const v = a.cfg[field];
      if (typeof v === "string" && v) out.push({ path: `channels.${a.channel}(${a.accountId}).${field}`, value: v });
    }
  }
  return out;
}

function execReachable(config: PincerConfig, sandboxed: boolean): boolean {
  const allowed = decideTool({ name: "exec" }, { tools: config.tools, sandboxed }).allowed;
  const agentId = config.agents.list.find((a) => a.default)?.id ?? config.agents.list[0]?.id ?? "main";
  return allowed && resolveExecPolicy(config, agentId).security !== "deny";
}

export function auditConfig(config: PincerConfig, env: NodeJS.ProcessEnv): Finding[] {
  const findings: Finding[] = [];
  const host = resolveBindHost(config.gateway.bind);
  const exposed = !isLoopbackHost(host);
  let auth: ReturnType<typeof resolveAuth> | undefined;
  try {
    auth = resolveAuth(config, env);
  } catch (err) {
    findings.push({ id: "security.auth-invalid", severity: "critical", title: (err as Error).message });
  }

  if (auth?.mode === "none" && exposed) {
    findings.push({
      id: "security.bind-no-auth",
      severity: "critical",
      title: `the gateway listens on ${host} (beyond this machine) without authentication`,
      fix: "set gateway.auth.token to a long random value (openssl rand -hex 32), or gateway.bind to loopback",
    });
  } else if (auth?.mode === "none") {
    findings.push({
      id: "security.no-auth",
      severity: "info",
      title: "the gateway has no authentication; any program on this machine can drive it",
      fix: "set gateway.auth.token if other users share this machine",
    });
  }
  if (auth?.secret && auth.mode !== "none") {
    const weak = weakness(auth.secret, auth.mode);
    if (weak) {
      findings.push({
        id: "security.weak-token",
        severity: exposed ? "critical" : "warn",
        title: `the gateway ${auth.mode} ${weak}`,
        fix: "replace it with a long random value: openssl rand -hex 32",
      });
    }
    const reused = otherSecrets(config).filter((s) => s.value === auth.secret);
    if (reused.length > 0) {
      findings.push({
        id: "security.token-reuse",
        severity: "warn",
        title: `the gateway ${auth.mode} is also used as ${reused.map((r) => r.path).join(", ")}`,
        detail: "one leaked credential should not open two doors",
        fix: "give the gateway its own random secret",
      });
    }
    if (config.hooks?.token && config.hooks.token === auth.secret) {
      findings.push({
        id: "security.hooks-token-reuse",
        severity: "critical",
        title: "hooks.token equals the gateway token",
        detail: "every webhook sender (and any log of webhook calls) then holds full operator access",
        fix: "set hooks.token to its own random value (openssl rand -hex 32) and update the webhook senders",
      });
    }
  }
  if (config.hooks?.enabled && config.hooks.token) {
    const weak = weakness(config.hooks.token, "token");
    if (weak)
      findings.push({
        id: "security.weak-hooks-token",
        severity: "warn",
        title: `hooks.token ${weak}`,
        fix: "use a long random value: openssl rand -hex 32",
      });
  }

  const sandboxMode = config.agents.defaults.sandbox.mode;
  const dmScope = config.session.dmScope;
  for (const a of channelAccounts(config)) {
    const where = `channels.${a.channel}${a.accountId === "default" ? "" : `.accounts.${a.accountId}`}`;
    if (a.cfg.dmPolicy === "open") {
      // Strangers' DMs land in the main session when dmScope is "main", and the main session is not sandboxed.
      const unsandboxed = sandboxMode === "off" || dmScope === "main";
      if (config.tools.elevated.enabled) {
        findings.push({
          id: "security.open-dm-elevated",
          severity: "critical",
          title: `${where}.dmPolicy is "open" while elevated exec (tools.elevated) is enabled`,
          fix: `set ${where}.dmPolicy to "pairing" or "allowlist", or disable tools.elevated`,
        });
      } else if (execReachable(config, !unsandboxed)) {
        findings.push({
          id: "security.open-dm-exec",
          severity: unsandboxed ? "critical" : "warn",
          title: `${where}.dmPolicy is "open" and anyone who messages the bot can make it run commands${unsandboxed ? " on this machine" : " (in the sandbox)"}`,
          fix: `set ${where}.dmPolicy to "pairing", or deny exec (tools.deny: ["exec"])${unsandboxed ? ', and use session.dmScope "per-peer" with sandbox mode "non-main"' : ""}`,
        });
      }
    }
    if (a.cfg.groupPolicy === "open" || a.cfg.groupPolicy === undefined) {
      const groups = (a.cfg.groups ?? {}) as Record<string, { requireMention?: boolean }>;
      const ungated = [
        ...(a.cfg.requireMention === false ? [`${where}.requireMention`] : []),
        ...Object.entries(groups)
          .filter(([, g]) => g?.requireMention === false)
          .map(([id]) => `${where}.groups.${id}.requireMention`),
      ];
      if (a.cfg.groupPolicy === "open" && ungated.length > 0) {
        findings.push({
          id: "security.group-no-mention",
          severity: "warn",
          title: `groups are open (${where}.groupPolicy) and answered without a mention (${ungated.join(", ")})`,
          detail: "anyone in any group the bot is added to drives the agent with every message",
          fix: `set ${where}.groupPolicy to "allowlist", or requireMention back to true`,
        });
      }
    }
  }

  const offAgents = [
    ...(sandboxMode === "off" ? ["agents.defaults.sandbox.mode"] : []),
    ...config.agents.list.filter((a) => a.sandbox?.mode === "off").map((a) => `agents.list[${a.id}].sandbox.mode`),
  ];
  if (offAgents.length > 0) {
    findings.push({
      id: "security.sandbox-off",
      severity: "warn",
      title: `the sandbox is off for non-main sessions (${offAgents.join(", ")})`,
      detail: "group chats and other people's DMs then run tools on this machine",
      fix: 'set sandbox mode to "non-main" (the default)',
    });
  }

  const endpoints = config.gateway.http.endpoints;
  const api = [
    ...(endpoints.chatCompletions.enabled ? ["chatCompletions"] : []),
    ...(endpoints.responses.enabled ? ["responses"] : []),
  ];
  if (api.length > 0 && exposed) {
    findings.push({
      id: "security.openai-api-exposed",
      severity: auth?.mode === "none" ? "critical" : "warn",
      title: `the OpenAI-compatible API (${api.join(", ")}) is served on ${host}, beyond this machine`,
      detail: "it runs the agent, tools included, for anyone holding the gateway token",
      fix: "bind the gateway to loopback and put a reverse proxy with its own auth in front, or disable gateway.http.endpoints",
    });
  }
  return findings;
}

const SECRET_KEYS = /^(token|password|apiKey|botToken|appToken|signingSecret|webhookSecret|secret|clientSecret)$/;

/**
 * True when the config file (as written) holds a secret in clear rather than as a SecretRef or `${VAR}`, so the
 * file itself must be private.
 */
export function documentHoldsPlainSecrets(doc: unknown, key = ""): boolean {
  if (typeof doc === "string") return SECRET_KEYS.test(key) && doc.length > 0 && !/^\$\{[A-Z0-9_]+\}$/.test(doc);
  if (Array.isArray(doc)) return doc.some((v) => documentHoldsPlainSecrets(v, key));
  if (typeof doc === "object" && doc !== null) {
    return Object.entries(doc).some(([k, v]) => documentHoldsPlainSecrets(v, k));
  }
  return false;
}
