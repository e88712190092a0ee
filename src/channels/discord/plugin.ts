import { accountConfigAdapter } from "../accounts.js";
import { type DiscordAccountConfig, DiscordConfigSchema } from "../config-schema.js";
import type { ChannelPlugin } from "../plugin.js";
import { discordGroupAccess, normalizeDiscordEntry } from "./access.js";
import { startDiscordAccount } from "./connection.js";

/** Discord's message limit. */
export const DISCORD_TEXT_LIMIT = 2000;

export const discordPlugin: ChannelPlugin<DiscordAccountConfig> = {
  id: "discord",
  meta: { label: "Discord", detailLabel: "Discord Bot", order: 20 },
  capabilities: {
    chatTypes: ["direct", "channel"],
    threads: true,
    media: true,
    typing: true,
    reactions: true,
    edit: true,
    delete: true,
  },
  config: accountConfigAdapter<DiscordAccountConfig>({
    channel: "discord",
    schema: DiscordConfigSchema,
    credentialKeys: ["token"],
    missing: (cfg, path) =>
      cfg.token ? undefined : `${path}.token is missing: the bot token from the Discord Developer Portal`,
  }),
  gateway: { startAccount: startDiscordAccount },
  // Typing lasts 10 s on Discord; refreshing at 8 s keeps it continuous.
  outbound: {
    textChunkLimit: DISCORD_TEXT_LIMIT,
    hardLimit: DISCORD_TEXT_LIMIT,
    markdown: "discord",
    typingIntervalMs: 8_000,
    // A server without boosts takes 10 MB per file from a bot; boosted servers allow more (mediaMaxMb).
    mediaMaxMb: 10,
  },
  status: {
    describeAccount: (account) => ({
      mode: "gateway",
      tokenSource: account.config.token ? "config" : "none",
      ...(account.config.apiRoot ? { baseUrl: account.config.apiRoot } : {}),
    }),
  },
  pairing: { idLabel: "Discord user id", normalizeAllowEntry: normalizeDiscordEntry },
  groups: { resolveGroup: discordGroupAccess },
  threading: { defaultReplyToMode: "first" },
};
