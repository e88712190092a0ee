import type { DiscordAccountConfig } from "../config-schema.js";
import type { InboundMessage } from "../envelope.js";
import type { GroupAccess, ResolvedAccount } from "../plugin.js";

/**
 * A guild channel's access from `guilds.<guildId | "*">`: the guild must be listed (under the default "allowlist"
 * group policy), a channel entry (by id, the thread's parent id, or "*") can switch it off or change mention
 * gating, and `users` / `roles` narrow who may talk there.
 */
export function discordGroupAccess(account: ResolvedAccount<DiscordAccountConfig>, msg: InboundMessage): GroupAccess {
  const cfg = account.config;
  const guild = msg.guildId ? (cfg.guilds?.[msg.guildId] ?? cfg.guilds?.["*"]) : undefined;
  const channels = guild?.channels;
  const channel =
    channels?.[msg.peerId] ?? (msg.parentPeerId ? channels?.[msg.parentPeerId] : undefined) ?? channels?.["*"];
  const users = channel?.users ?? channel?.allowFrom ?? guild?.users;
  const roles = guild?.roles;
  const access: GroupAccess = {
    listed: guild !== undefined && (channels === undefined || channel !== undefined),
    enabled: channel?.allow !== false && channel?.enabled !== false,
    requireMention: channel?.requireMention ?? guild?.requireMention ?? cfg.requireMention ?? true,
  };
  if (users || roles) {
    const byUser = users?.some((u) => u === "*" || u === msg.sender.id) ?? false;
    const byRole = roles?.some((r) => msg.memberRoleIds?.includes(r)) ?? false;
    // The decision is made here (roles are Discord's); the policy sees an explicit yes or no.
    access.allowFrom = byUser || byRole ? ["*"] : [];
  }
  return access;
}

/** "discord:123", "user:123", "<@123>", "<@!123>" → "123". */
export function normalizeDiscordEntry(entry: string): string {
  return entry
    .trim()
    .replace(/^(discord|user):/i, "")
    .replace(/^<@!?(\d+)>$/, "$1");
}
