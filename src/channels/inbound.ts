import type { PincerConfig } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import { resolveRoute } from "../routing/resolve-route.js";
import type { PairingStore } from "./access/pairing-store.js";
import { decideAccess } from "./access/policy.js";
import type { AgentPort } from "./agent-port.js";
import type { CommonAccountConfig } from "./config-schema.js";
import { agentTextOf, type InboundMessage, type OutboundTarget, replyTargetOf } from "./envelope.js";
import { formatReply } from "./outbound-format.js";
import type { ChannelPlugin, ResolvedAccount } from "./plugin.js";

/**
 * The path of one inbound message: access check → route → agent → typing while it works → the reply, chunked
 * and rendered for the platform. A stranger's DM under dmPolicy "pairing" gets a pairing code and nothing else.
 */

/** How long a channel waits for the agent's answer before giving up on delivering it. */
export const RUN_WAIT_MS = 30 * 60_000;
/** Default typing refresh: Telegram's indicator lasts 5 s, Discord's 10 s. */
const DEFAULT_TYPING_INTERVAL_MS = 4_000;

export interface InboundContext {
  plugin: ChannelPlugin;
  account: ResolvedAccount<CommonAccountConfig>;
  config: PincerConfig;
  agent: AgentPort | undefined;
  pairing: PairingStore;
  log: Logger;
  /** Sends text (already formatted) with retries across reconnects. */
  send(target: OutboundTarget, text: string): Promise<void>;
  /** Shows typing once; failures are ignored (typing is cosmetic). */
  typing(target: OutboundTarget): Promise<void>;
  runStarted(): void;
  runEnded(): void;
  signal: AbortSignal;
}

export type InboundResult =
  | { outcome: "replied"; chunks: number; runId: string }
  | { outcome: "paired"; code: string }
  | { outcome: "dropped"; reason: string }
  | { outcome: "duplicate"; runId: string }
  | { outcome: "no-reply"; runId: string };

export function pairingReplyText(plugin: ChannelPlugin, senderId: string, code: string): string {
  const idLabel = plugin.pairing?.idLabel ?? `${plugin.meta.label} user id`;
  return [
    "Pincer: this assistant only talks to people its owner has approved.",
    "",
    `Your ${idLabel}: ${senderId}`,
    `Pairing code: ${code}`,
    "",
    "Ask the owner to run:",
    `pincer pairing approve ${plugin.id} ${code}`,
  ].join("\n");
}

/** What a user sees when the agent run failed: short, with the error's own actionable message. */
export function apologyText(error: { message: string } | undefined): string {
  const detail = (error?.message ?? "unknown error").split("\n")[0]!.slice(0, 300);
  return `Sorry, I couldn't answer that: ${detail}`;
}

export async function processInbound(ctx: InboundContext, msg: InboundMessage): Promise<InboundResult> {
  const { plugin, account } = ctx;
  if (msg.text.trim() === "" && msg.media.length === 0) return { outcome: "dropped", reason: "empty" };
  const pairedFrom = await ctx.pairing.allowFrom(plugin.id, account.accountId);
  const decision = decideAccess({
    msg,
    config: account.config,
    pairedFrom,
    group: msg.chatType === "direct" ? undefined : plugin.groups?.resolveGroup(account, msg),
    normalizeEntry: plugin.pairing?.normalizeAllowEntry,
    senderMatches: plugin.security?.senderMatches,
  });
  if (decision.action === "drop") {
    ctx.log.debug({ reason: decision.reason, peer: msg.peerId, sender: msg.sender.id }, "inbound message dropped");
    return { outcome: "dropped", reason: decision.reason };
  }
  if (decision.action === "pair") {
    const label = msg.sender.username ? `@${msg.sender.username}` : msg.sender.name;
    const result = await ctx.pairing.upsertRequest(plugin.id, account.accountId, { id: msg.sender.id, label });
    if (result.status !== "created") {
      // One code per stranger, sent once; a full queue (three pending) is silent so strangers cannot spam the owner.
      return { outcome: "dropped", reason: result.status === "limit" ? "pairing-limit" : "pairing-pending" };
    }
    ctx.log.info({ sender: msg.sender.id, label }, "pairing requested");
    for (const chunk of formatFor(plugin, account.config, pairingReplyText(plugin, msg.sender.id, result.code))) {
      await ctx.send({ chatType: "direct", peerId: msg.peerId }, chunk);
    }
    return { outcome: "paired", code: result.code };
  }

  const agent = ctx.agent;
  if (!agent) return { outcome: "dropped", reason: "agent-not-running" };
  const route = resolveRoute(ctx.config, {
    channel: plugin.id,
    accountId: account.accountId,
    peer: { kind: msg.chatType, id: msg.peerId },
    parentPeer: msg.parentPeerId ? { kind: msg.chatType, id: msg.parentPeerId } : undefined,
    threadId: msg.threadId,
    guildId: msg.guildId,
    teamId: msg.teamId,
    memberRoleIds: msg.memberRoleIds,
  });
  if (route.unknownAgentId) {
    ctx.log.warn(
      { agentId: route.unknownAgentId },
      "a binding names an agent that is not configured; using the default",
    );
  }
  const ack = agent.send({
    sessionKey: route.sessionKey,
    message: agentTextOf(msg),
    // The platform's message id makes the key: a redelivered message finds the run it already started.
    idempotencyKey: `${plugin.id}:${account.accountId}:${msg.messageId}`,
    agentId: route.agentId,
    channel: plugin.id,
    // Every message gets its own answer; collecting several into one turn would answer them once.
    queueMode: "followup",
    origin: {
      channel: plugin.id,
      to: msg.chatType === "direct" ? msg.peerId : `${msg.chatType}:${msg.peerId}`,
      accountId: account.accountId,
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    },
  });
  if (ack.cached) return { outcome: "duplicate", runId: ack.runId };
  const run = agent.runs.get(ack.runId);
  if (!run) return { outcome: "no-reply", runId: ack.runId };

  const target = replyTargetOf(msg);
  ctx.runStarted();
  const stopTyping = startTyping(ctx, target, run);
  let outcome: Awaited<ReturnType<AgentPort["runs"]["wait"]>>;
  try {
    outcome = await agent.runs.wait(run, RUN_WAIT_MS);
  } finally {
    stopTyping();
    ctx.runEnded();
  }
  if (!outcome || outcome.status === "aborted") return { outcome: "no-reply", runId: ack.runId };
  const markdown = outcome.status === "ok" ? outcome.text : apologyText(outcome.error);
  const prefixed = account.config.responsePrefix ? `${account.config.responsePrefix} ${markdown}` : markdown;
  const chunks = formatFor(plugin, account.config, prefixed);
  const mode =
    msg.chatType === "direct" ? "off" : (account.config.replyToMode ?? plugin.threading?.defaultReplyToMode ?? "off");
  for (const [i, chunk] of chunks.entries()) {
    const quote = mode === "all" || (mode === "first" && i === 0);
    const { replyToId: _quoted, ...unquoted } = target;
    await ctx.send(quote ? target : unquoted, chunk);
  }
  return { outcome: "replied", chunks: chunks.length, runId: ack.runId };
}

/** Chunks and renders markdown for the plugin's platform, honouring the account's chunk settings. */
export function formatFor(plugin: ChannelPlugin, config: CommonAccountConfig, markdown: string): string[] {
  const outbound = plugin.outbound ?? PLAIN_OUTBOUND;
  return formatReply(markdown, outbound, { chunkLimit: config.textChunkLimit, chunkMode: config.chunkMode });
}

/** For a channel that declares no outbound adapter: plain text in modest chunks. */
const PLAIN_OUTBOUND = { textChunkLimit: 2000, hardLimit: 2000, markdown: "plain" as const };

/** Sends typing now and every interval until the run ends (or the returned stop is called). */
function startTyping(ctx: InboundContext, target: OutboundTarget, run: { status: string }): () => void {
  if (!ctx.plugin.capabilities.typing) return () => {};
  const active = () => run.status === "queued" || run.status === "running";
  const tick = () => {
    if (active() && !ctx.signal.aborted) void ctx.typing(target);
  };
  tick();
  const timer = setInterval(tick, ctx.plugin.outbound?.typingIntervalMs ?? DEFAULT_TYPING_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
