import { PincerError } from "../errors.js";

/**
 * Session keys name a conversation bucket. The formats are OpenClaw's, so keys in an imported
 * sessions.json and keys sent by OpenClaw clients mean the same thing here:
 *
 *   agent:<agentId>:<mainKey>                                   main (all DMs when dmScope is "main")
 *   agent:<agentId>:direct:<peerId>                             DM, dmScope "per-peer"
 *   agent:<agentId>:<channel>:direct:<peerId>                   DM, dmScope "per-channel-peer"
 *   agent:<agentId>:<channel>:<accountId>:direct:<peerId>       DM, dmScope "per-account-channel-peer"
 *   agent:<agentId>:<channel>:group:<id>                        group chat
 *   agent:<agentId>:<channel>:channel:<id>  (or :room:<id>)     channel / room
 *   agent:<agentId>:cron:<jobId>            agent:<agentId>:hook:<id>
 *   …:thread:<threadId>                                         thread / topic suffix on any of the above
 *
 * Keys are case-insensitive and stored lowercase, except the opaque, case-sensitive peer ids of the
 * channels listed in CASE_PRESERVING_PEERS. A key without the `agent:<id>:` head ("main", "cron:x",
 * "telegram:group:1") belongs to the default agent.
 */

export const DEFAULT_AGENT_ID = "main";
export const DEFAULT_MAIN_KEY = "main";
export const DEFAULT_ACCOUNT_ID = "default";

export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";
export type PeerKind = "direct" | "group" | "channel";
export type SessionKind = "main" | "direct" | "group" | "channel" | "cron" | "hook" | "other";

export interface ParsedSessionKey {
  /** Canonical store key: `agent:<agentId>:<rest>`. */
  key: string;
  agentId: string;
  /** Everything after `agent:<agentId>:`, thread suffix included. */
  rest: string;
  kind: SessionKind;
  channel?: string;
  accountId?: string;
  peerId?: string;
  threadId?: string;
  /** For kind "cron". */
  jobId?: string;
  /** For kind "hook". */
  hookId?: string;
}

export interface SessionKeyDefaults {
  /** Agent for keys without an `agent:<id>:` head; "main" when unset. */
  defaultAgentId?: string;
  /** `session.mainKey`; "main" when unset. */
  mainKey?: string;
}

const VALID_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const INVALID_ID_CHARS_RE = /[^a-z0-9_-]+/g;
/** Object keys that must never become a store key segment (prototype pollution through sessions.json). */
const BLOCKED_IDS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Channels whose peer ids are opaque and case-sensitive (Signal group ids, Matrix room ids such as
 * `!AbC:server`). "segment" keeps one colon-free id segment; "tail" keeps the whole id and thread id.
 */
const CASE_PRESERVING_PEERS: ReadonlyArray<{ channel: string; kinds: ReadonlySet<string>; span: "segment" | "tail" }> =
  [
    { channel: "signal", kinds: new Set(["group"]), span: "segment" },
    { channel: "matrix", kinds: new Set(["channel", "group"]), span: "tail" },
  ];

const DIRECT_TOKENS = new Set(["direct", "dm"]);
const GROUPISH_TOKENS: ReadonlyMap<string, "group" | "channel"> = new Map([
  ["group", "group"],
  ["channel", "channel"],
  ["room", "channel"],
]);

function canonicalId(value: string | undefined | null, fallback: string): string {
  const trimmed = (value ?? "").trim();
  if (!trimmed) return fallback;
  const lowered = trimmed.toLowerCase();
  const id = VALID_ID_RE.test(trimmed)
    ? lowered
    : lowered.replace(INVALID_ID_CHARS_RE, "-").replace(/^-+/, "").replace(/-+$/, "").slice(0, 64);
  return id && !BLOCKED_IDS.has(id) ? id : fallback;
}

/** Lowercase, path-safe agent id; invalid characters collapse to "-", empty becomes "main". */
export function normalizeAgentId(value: string | undefined | null): string {
  return canonicalId(value, DEFAULT_AGENT_ID);
}

export function isValidAgentId(value: string | undefined | null): boolean {
  const trimmed = (value ?? "").trim();
  return VALID_ID_RE.test(trimmed) && !BLOCKED_IDS.has(trimmed.toLowerCase());
}

/** Lowercase account id; empty or unusable becomes "default". */
export function normalizeAccountId(value: string | undefined | null): string {
  return canonicalId(value, DEFAULT_ACCOUNT_ID);
}

export function normalizeMainKey(value: string | undefined | null): string {
  const trimmed = (value ?? "").trim();
  return trimmed ? trimmed.toLowerCase() : DEFAULT_MAIN_KEY;
}

function preservingSpan(channel: string | undefined, kind: string | undefined): "segment" | "tail" | undefined {
  if (!channel || !kind) return undefined;
  const c = channel.toLowerCase();
  const k = kind.toLowerCase();
  return CASE_PRESERVING_PEERS.find((d) => d.channel === c && d.kinds.has(k))?.span;
}

/** A peer id as it appears in a key: trimmed, lowercase unless the channel's ids are case-sensitive. */
export function normalizePeerId(channel: string | undefined, kind: string | undefined, peerId: string): string {
  const trimmed = peerId.trim();
  const span = preservingSpan(channel, kind);
  if (span === "tail") return trimmed;
  if (span === "segment") {
    const colon = trimmed.indexOf(":");
    if (colon === -1) return trimmed;
    return trimmed.slice(0, colon).trim() + trimmed.slice(colon).toLowerCase();
  }
  return trimmed.toLowerCase();
}

export function buildMainSessionKey(params: { agentId: string; mainKey?: string | undefined }): string {
  return `agent:${normalizeAgentId(params.agentId)}:${normalizeMainKey(params.mainKey)}`;
}

/** The canonical id a linked identity maps to (session.identityLinks), or null. */
function resolveLinkedPeerId(
  identityLinks: Record<string, string[]> | undefined,
  channel: string,
  peerId: string,
): string | null {
  if (!identityLinks || !peerId) return null;
  const candidates = new Set([peerId.toLowerCase()]);
  const ch = channel.trim().toLowerCase();
  if (ch) candidates.add(`${ch}:${peerId}`.toLowerCase());
  for (const [canonical, ids] of Object.entries(identityLinks)) {
    const name = canonical.trim();
    if (!name || !Array.isArray(ids)) continue;
    if (ids.some((id) => candidates.has(id.trim().toLowerCase()))) return name;
  }
  return null;
}

export interface PeerSessionKeyParams {
  agentId: string;
  mainKey?: string | undefined;
  channel: string;
  accountId?: string | null | undefined;
  peerKind?: PeerKind | null | undefined;
  peerId?: string | null | undefined;
  dmScope?: DmScope | undefined;
  /** canonical name → ["telegram:123", "discord:456", …]; lets one person share a DM session across channels. */
  identityLinks?: Record<string, string[]> | undefined;
}

/** The session key for an inbound conversation, following `session.dmScope` for direct messages. */
export function buildPeerSessionKey(params: PeerSessionKeyParams): string {
  const agentId = normalizeAgentId(params.agentId);
  const channel = params.channel.trim().toLowerCase() || "unknown";
  const peerKind = params.peerKind ?? "direct";
  if (peerKind === "direct") {
    const dmScope = params.dmScope ?? "main";
    let peerId = (params.peerId ?? "").trim();
    if (dmScope !== "main") peerId = resolveLinkedPeerId(params.identityLinks, channel, peerId) ?? peerId;
    peerId = peerId.toLowerCase();
    if (peerId && dmScope === "per-account-channel-peer") {
      return `agent:${agentId}:${channel}:${normalizeAccountId(params.accountId)}:direct:${peerId}`;
    }
    if (peerId && dmScope === "per-channel-peer") return `agent:${agentId}:${channel}:direct:${peerId}`;
    if (peerId && dmScope === "per-peer") return `agent:${agentId}:direct:${peerId}`;
    return buildMainSessionKey({ agentId, mainKey: params.mainKey });
  }
  const peerId = normalizePeerId(channel, peerKind, params.peerId ?? "") || "unknown";
  return `agent:${agentId}:${channel}:${peerKind}:${peerId}`;
}

/** Appends `:thread:<id>` (Slack/Discord threads, Telegram topics); an empty thread id leaves the key as is. */
export function withThreadSuffix(baseKey: string, threadId: string | number | null | undefined): string {
  const id = String(threadId ?? "").trim();
  if (!id) return baseKey;
  const ref = parseConversationHead(baseKey);
  const keepCase = preservingSpan(ref?.channel, ref?.kind) === "tail";
  return `${baseKey}:thread:${keepCase ? id : id.toLowerCase()}`;
}

export function buildCronSessionKey(agentId: string, jobId: string): string {
  const id = jobId.trim().toLowerCase();
  if (!id) throw new PincerError("INVALID_REQUEST", "cron session key needs a non-empty job id");
  return `agent:${normalizeAgentId(agentId)}:cron:${id}`;
}

export function buildHookSessionKey(agentId: string, hookId: string): string {
  const id = hookId.trim().toLowerCase();
  if (!id) throw new PincerError("INVALID_REQUEST", "hook session key needs a non-empty id");
  return `agent:${normalizeAgentId(agentId)}:hook:${id}`;
}

function parseConversationHead(key: string): { channel: string; kind: string } | null {
  const parts = key.split(":").filter(Boolean);
  const body = parts[0]?.toLowerCase() === "agent" && parts.length >= 3 ? parts.slice(2) : parts;
  if (body.length < 3) return null;
  return { channel: body[0]!.toLowerCase(), kind: body[1]!.toLowerCase() };
}

/**
 * Parses and canonicalizes a session key. Keys without an `agent:` head belong to the default agent;
 * the bare key "main" is that agent's main key. Throws INVALID_REQUEST for an empty key or an
 * `agent:` key without both an agent id and a rest.
 */
export function parseSessionKey(raw: string, defaults: SessionKeyDefaults = {}): ParsedSessionKey {
  const trimmed = raw.trim();
  if (!trimmed) throw new PincerError("INVALID_REQUEST", "session key is empty");
  const mainKey = normalizeMainKey(defaults.mainKey);
  const parts = trimmed.split(":").filter((p) => p.length > 0);
  let agentId: string;
  let body: string[];
  if (parts[0]?.toLowerCase() === "agent") {
    if (parts.length < 3) {
      throw new PincerError(
        "INVALID_REQUEST",
        `session key "${trimmed}" is malformed: expected agent:<agentId>:<rest>, e.g. agent:main:main`,
      );
    }
    agentId = normalizeAgentId(parts[1]);
    body = parts.slice(2);
  } else {
    agentId = normalizeAgentId(defaults.defaultAgentId);
    body = trimmed.toLowerCase() === DEFAULT_MAIN_KEY ? [mainKey] : parts;
  }

  const head = classifyBody(body, mainKey);
  const span = preservingSpan(head.channel, head.peerToken);
  const canonical = body.map((part, i) => {
    if (i >= head.peerStart && i < head.peerEnd) {
      if (span === "tail" || (span === "segment" && i === head.peerStart)) return part.trim();
      return part.toLowerCase();
    }
    if (i >= head.threadStart && span === "tail") return part.trim();
    return part.toLowerCase();
  });
  const rest = canonical.join(":");
  const parsed: ParsedSessionKey = { key: `agent:${agentId}:${rest}`, agentId, rest, kind: head.kind };
  const join = (from: number, to: number) => canonical.slice(from, to).join(":");
  if (head.channel) parsed.channel = head.channel.toLowerCase();
  if (head.accountIndex >= 0) parsed.accountId = canonical[head.accountIndex]!;
  if (head.peerEnd > head.peerStart && (head.kind === "direct" || head.kind === "group" || head.kind === "channel")) {
    parsed.peerId = join(head.peerStart, head.peerEnd);
  }
  if (head.kind === "cron") parsed.jobId = canonical[1]!;
  if (head.kind === "hook") parsed.hookId = join(1, head.baseEnd);
  if (head.threadStart < canonical.length) parsed.threadId = join(head.threadStart, canonical.length);
  return parsed;
}

interface BodyShape {
  kind: SessionKind;
  channel?: string;
  /** The raw kind token ("group", "dm", …) for the case-preservation table. */
  peerToken?: string;
  accountIndex: number;
  peerStart: number;
  peerEnd: number;
  /** End of the part before any thread suffix. */
  baseEnd: number;
  /** Index of the first thread-id part; body.length when there is no thread suffix. */
  threadStart: number;
}

function classifyBody(body: string[], mainKey: string): BodyShape {
  const lower = body.map((p) => p.toLowerCase());
  // A thread suffix is the last ":thread:<id>" with something before it (OpenClaw uses lastIndexOf).
  let threadMarker = -1;
  for (let i = lower.length - 2; i >= 1; i--) {
    if (lower[i] === "thread") {
      threadMarker = i;
      break;
    }
  }
  const baseEnd = threadMarker === -1 ? body.length : threadMarker;
  const threadStart = threadMarker === -1 ? body.length : threadMarker + 1;
  const shape = (kind: SessionKind, extra: Partial<BodyShape> = {}): BodyShape => ({
    kind,
    accountIndex: -1,
    peerStart: 0,
    peerEnd: 0,
    baseEnd,
    threadStart,
    ...extra,
  });
  const peer = (start: number) => ({ peerStart: start, peerEnd: baseEnd });
  const [t0, t1, t2] = [lower[0], lower[1], lower[2]];

  if (t0 === "cron" && baseEnd >= 2) return shape("cron");
  if (t0 === "hook" && baseEnd >= 2) return shape("hook");
  if (t0 !== undefined && DIRECT_TOKENS.has(t0) && baseEnd >= 2) return shape("direct", peer(1));
  if (t0 === "group" && baseEnd >= 2) return shape("group", peer(1));
  if (t1 !== undefined && baseEnd >= 3) {
    if (DIRECT_TOKENS.has(t1)) return shape("direct", { channel: t0, peerToken: t1, ...peer(2) });
    const groupish = GROUPISH_TOKENS.get(t1);
    if (groupish) return shape(groupish, { channel: t0, peerToken: t1, ...peer(2) });
  }
  if (t2 !== undefined && baseEnd >= 4 && DIRECT_TOKENS.has(t2)) {
    return shape("direct", { channel: t0, peerToken: t2, accountIndex: 1, ...peer(3) });
  }
  if (baseEnd === 1 && t0 === mainKey) return shape("main");
  return shape("other");
}

/** The canonical store key for any key a client or channel sends. */
export function resolveSessionKey(raw: string, defaults: SessionKeyDefaults = {}): string {
  return parseSessionKey(raw, defaults).key;
}

/** The key without its `agent:<id>:` head, as OpenClaw's agent requests carry it ("main", "cron:x"). */
export function toRequestSessionKey(storeKey: string): string {
  return parseSessionKey(storeKey).rest;
}
