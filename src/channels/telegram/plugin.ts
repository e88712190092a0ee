import { groupAccessFromConfig } from "../access/policy.js";
import { accountConfigAdapter } from "../accounts.js";
import { type TelegramAccountConfig, TelegramConfigSchema } from "../config-schema.js";
import type { ChannelPlugin } from "../plugin.js";
import { startTelegramAccount } from "./connection.js";

/** Telegram's message limit is 4096 after entity parsing; 4000 leaves room for the HTML tags. */
export const TELEGRAM_TEXT_LIMIT = 4000;
export const TELEGRAM_HARD_LIMIT = 4096;

export const telegramPlugin: ChannelPlugin<TelegramAccountConfig> = {
  id: "telegram",
  meta: { label: "Telegram", detailLabel: "Telegram Bot", order: 10 },
  capabilities: {
    chatTypes: ["direct", "group"],
    threads: true,
    media: true,
    typing: true,
    reactions: true,
    edit: true,
    delete: true,
  },
  config: accountConfigAdapter<TelegramAccountConfig>({
    channel: "telegram",
    schema: TelegramConfigSchema,
    credentialKeys: ["botToken"],
    missing(cfg, path) {
      if (!cfg.botToken) return `${path}.botToken is missing: create a bot with @BotFather and put its token there`;
      if (cfg.webhookUrl && !cfg.webhookSecret) {
        return `${path}.webhookSecret is required with webhookUrl, so only Telegram can post updates`;
      }
      return undefined;
    },
  }),
  gateway: { startAccount: startTelegramAccount },
  outbound: {
    textChunkLimit: TELEGRAM_TEXT_LIMIT,
    hardLimit: TELEGRAM_HARD_LIMIT,
    markdown: "telegram-html",
    typingIntervalMs: 4_000,
    // The Bot API's upload limit for bots.
    mediaMaxMb: 50,
  },
  status: {
    describeAccount: (account) => ({
      mode: account.config.webhookUrl ? "webhook" : "polling",
      tokenSource: account.config.botToken ? "config" : "none",
      ...(account.config.apiRoot ? { baseUrl: account.config.apiRoot } : {}),
      ...(account.config.webhookUrl ? { webhookUrl: account.config.webhookUrl } : {}),
    }),
  },
  pairing: {
    idLabel: "Telegram user id",
    normalizeAllowEntry: (entry) => entry.trim().replace(/^(telegram|tg):/i, ""),
  },
  groups: {
    // Forum topics inherit their group's settings.
    resolveGroup: (account, msg) => groupAccessFromConfig(account.config, msg.peerId),
  },
  threading: { defaultReplyToMode: "first" },
};
