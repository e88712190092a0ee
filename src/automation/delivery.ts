import type { AgentRuntime } from "../agent/runtime.js";
import type { ChannelManager } from "../channels/manager.js";
import { PincerError } from "../errors.js";

/**
 * Where an automation's result goes (cron delivery "announce", webhook `channel`/`to`): a channel and a
 * recipient, or "last" — the channel and recipient the agent's main session last talked to.
 */
export interface AnnounceTarget {
  channel: string;
  to?: string;
  accountId?: string;
}

export interface AnnounceDeps {
  runtime: AgentRuntime;
  channels: () => ChannelManager | undefined;
}

/** Sends `text` to the target; throws a PincerError naming what is missing when it cannot. */
export async function announce(
  deps: AnnounceDeps,
  agentId: string,
  target: AnnounceTarget,
  text: string,
): Promise<void> {
  let { channel, to, accountId } = target;
  if (channel === "last") {
    const { key, agent } = deps.runtime.resolveKey("main", agentId);
    const entry = (await deps.runtime.store(agent.id)).get(key);
    if (!entry?.lastChannel || !entry.lastTo) {
      throw new PincerError(
        "NOT_FOUND",
        `delivery channel "last": agent "${agent.id}" has no recorded last conversation yet; set an explicit channel and to`,
      );
    }
    channel = entry.lastChannel;
    to = entry.lastTo;
    accountId ??= entry.lastAccountId ?? undefined;
  }
  if (!to) throw new PincerError("INVALID_REQUEST", `delivery to channel "${channel}" needs a recipient (to)`);
  const manager = deps.channels();
  if (!manager) {
    throw new PincerError(
      "UNAVAILABLE",
      `cannot deliver to ${channel}: no channels are configured (channels.${channel})`,
    );
  }
  const account = accountId ?? manager.accountIds().find((a) => a.channel === channel)?.accountId;
  if (!account) throw new PincerError("NOT_FOUND", `channel "${channel}" is not configured (channels.${channel})`);
  await manager.sendText(channel, account, recipient(to), text);
}

/** `to` names a person by default; `group:<id>` and `channel:<id>` name a group chat or a channel. */
function recipient(to: string): { chatType: "direct" | "group" | "channel"; peerId: string } {
  const m = /^(group|channel|direct):(.+)$/i.exec(to.trim());
  if (!m) return { chatType: "direct", peerId: to.trim() };
  return { chatType: m[1]!.toLowerCase() as "direct" | "group" | "channel", peerId: m[2]! };
}
