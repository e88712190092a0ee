import {
  buildMainSessionKey,
  buildPeerSessionKey,
  DEFAULT_ACCOUNT_ID,
  type DmScope,
  normalizeAccountId,
  normalizeAgentId,
  type PeerKind,
  withThreadSuffix,
} from "../sessions/keys.js";
import type { Binding } from "./bindings-schema.js";

/**
 * Which agent answers a conversation, and in which session. Bindings are tried from the most to the least
 * specific: the peer itself, the thread's parent peer, any peer of that kind, guild + member roles, guild,
 * team, account, channel; nothing matching means the default agent. Within a tier the first binding in the
 * file wins. Results are cached per config object (a reload brings a new object, so nothing goes stale).
 */

export type MatchedBy =
  | "binding.peer"
  | "binding.peer.parent"
  | "binding.peer.wildcard"
  | "binding.guild+roles"
  | "binding.guild"
  | "binding.team"
  | "binding.account"
  | "binding.channel"
  | "default";

const TIERS: readonly MatchedBy[] = [
  "binding.peer",
  "binding.peer.parent",
  "binding.peer.wildcard",
  "binding.guild+roles",
  "binding.guild",
  "binding.team",
  "binding.account",
  "binding.channel",
];

export interface RouteInput {
  channel: string;
  accountId?: string | undefined;
  peer: { kind: PeerKind; id: string };
  parentPeer?: { kind: PeerKind; id: string } | undefined;
  threadId?: string | undefined;
  guildId?: string | undefined;
  teamId?: string | undefined;
  memberRoleIds?: readonly string[] | undefined;
}

/** The parts of the config routing reads. */
export interface RoutingConfig {
  bindings?: readonly Binding[] | undefined;
  agents: { list: readonly { id: string; default?: boolean | undefined }[] };
  session: { dmScope: DmScope; mainKey: string; identityLinks?: Record<string, string[]> | undefined };
}

export interface ResolvedRoute {
  agentId: string;
  channel: string;
  accountId: string;
  sessionKey: string;
  mainSessionKey: string;
  matchedBy: MatchedBy;
  /** Set when a binding named an agent that is not configured and the default answered instead. */
  unknownAgentId?: string;
}

/** Groups and channels are one kind for matching, as in OpenClaw ("channel" peers bind like groups). */
function sameKind(a: string, b: string): boolean {
  const norm = (k: string) => (k === "dm" ? "direct" : k === "channel" ? "group" : k);
  return norm(a) === norm(b);
}

function accountMatches(binding: Binding, accountId: string): boolean {
  const pattern = binding.match.accountId?.trim();
  if (pattern === "*") return true;
  return normalizeAccountId(pattern || DEFAULT_ACCOUNT_ID) === accountId;
}

/** The tier a binding matches this input at, or undefined. Every constraint a binding states must hold. */
function tierOf(binding: Binding, input: RouteInput, accountId: string): MatchedBy | undefined {
  const m = binding.match;
  if (m.channel.trim().toLowerCase() !== input.channel || !accountMatches(binding, accountId)) return undefined;
  if (m.guildId && m.guildId !== input.guildId) return undefined;
  if (m.teamId && m.teamId !== input.teamId) return undefined;
  if (m.roles && !m.roles.some((r) => input.memberRoleIds?.includes(r))) return undefined;
  if (m.peer) {
    if (m.peer.id === "*") return sameKind(m.peer.kind, input.peer.kind) ? "binding.peer.wildcard" : undefined;
    if (sameKind(m.peer.kind, input.peer.kind) && m.peer.id === input.peer.id) return "binding.peer";
    const parent = input.parentPeer;
    if (parent && sameKind(m.peer.kind, parent.kind) && m.peer.id === parent.id) return "binding.peer.parent";
    return undefined;
  }
  if (m.guildId && m.roles) return "binding.guild+roles";
  if (m.guildId) return "binding.guild";
  if (m.teamId) return "binding.team";
  if (m.accountId && m.accountId.trim() !== "*") return "binding.account";
  return "binding.channel";
}

function defaultAgentIdOf(config: RoutingConfig): string {
  const list = config.agents.list;
  return normalizeAgentId((list.find((a) => a.default) ?? list[0])?.id);
}

function knownAgent(config: RoutingConfig, id: string): boolean {
  const list = config.agents.list;
  return list.length === 0 ? id === normalizeAgentId(undefined) : list.some((a) => normalizeAgentId(a.id) === id);
}

/** Upper bound on cached routes per config: conversations beyond it are resolved again (cheap) rather than kept. */
const MAX_CACHED_ROUTES = 5_000;
const cache = new WeakMap<object, Map<string, ResolvedRoute>>();

export function resolveRoute(config: RoutingConfig, input: RouteInput): ResolvedRoute {
  const channel = input.channel.trim().toLowerCase();
  const normalized: RouteInput = { ...input, channel };
  const accountId = normalizeAccountId(input.accountId);
  const key = JSON.stringify([
    channel,
    accountId,
    input.peer.kind,
    input.peer.id,
    input.parentPeer?.kind,
    input.parentPeer?.id,
    input.threadId,
    input.guildId,
    input.teamId,
    [...(input.memberRoleIds ?? [])].sort(),
  ]);
  let routes = cache.get(config);
  const hit = routes?.get(key);
  if (hit) return hit;

  let best: { binding: Binding; tier: number } | undefined;
  for (const binding of config.bindings ?? []) {
    const tier = tierOf(binding, normalized, accountId);
    if (tier === undefined) continue;
    const rank = TIERS.indexOf(tier);
    if (!best || rank < best.tier) best = { binding, tier: rank };
    if (rank === 0) break;
  }
  const fallback = defaultAgentIdOf(config);
  let agentId = best ? normalizeAgentId(best.binding.agentId) : fallback;
  let unknownAgentId: string | undefined;
  if (!knownAgent(config, agentId)) {
    unknownAgentId = agentId;
    agentId = fallback;
  }
  const { dmScope, mainKey, identityLinks } = config.session;
  // A thread's session hangs off its parent conversation: "…:channel:<parent>:thread:<id>".
  const conversation = input.parentPeer ?? input.peer;
  const base = buildPeerSessionKey({
    agentId,
    mainKey,
    channel,
    accountId,
    peerKind: conversation.kind,
    peerId: conversation.id,
    dmScope,
    identityLinks,
  });
  const sessionKey = conversation.kind === "direct" ? base : withThreadSuffix(base, input.threadId);
  const route: ResolvedRoute = {
    agentId,
    channel,
    accountId,
    sessionKey,
    mainSessionKey: buildMainSessionKey({ agentId, mainKey }),
    matchedBy: best ? TIERS[best.tier]! : "default",
    ...(unknownAgentId ? { unknownAgentId } : {}),
  };
  if (!routes) {
    routes = new Map();
    cache.set(config, routes);
  }
  if (routes.size >= MAX_CACHED_ROUTES) routes.clear();
  routes.set(key, route);
  return route;
}
