import { groupAccessFromConfig } from "../access/policy.js";
import { accountConfigAdapter } from "../accounts.js";
import { type SlackAccountConfig, SlackConfigSchema } from "../config-schema.js";
import type { ChannelPlugin } from "../plugin.js";
import { startSlackAccount } from "./connection.js";

/** Slack accepts far longer messages, but past ~8000 characters its clients truncate the display. */
export const SLACK_TEXT_LIMIT = 8000;
export const SLACK_HARD_LIMIT = 12_000;

export const slackPlugin: ChannelPlugin<SlackAccountConfig> = {
  id: "slack",
  meta: { label: "Slack", detailLabel: "Slack App", order: 30 },
  capabilities: {
    chatTypes: ["direct", "group", "channel"],
    threads: true,
    media: true,
    // Bots have no typing indicator in the Events API.
    typing: false,
    reactions: true,
    edit: true,
    delete: true,
  },
  config: accountConfigAdapter<SlackAccountConfig>({
    channel: "slack",
    schema: SlackConfigSchema,
    credentialKeys: ["botToken", "appToken"],
    missing(cfg, path) {
      if (!cfg.botToken) return `${path}.botToken is missing: the bot token (xoxb-…) from OAuth & Permissions`;
      const mode = cfg.mode ?? (cfg.appToken ? "socket" : "http");
      if (mode === "socket" && !cfg.appToken)
        return `${path}.appToken is missing: an app-level token (xapp-…) with connections:write`;
      if (mode === "http" && !cfg.signingSecret)
        return `${path}.signingSecret is missing: HTTP mode needs it (Basic Information → Signing Secret), or set appToken for Socket Mode`;
      return undefined;
    },
  }),
  gateway: { startAccount: startSlackAccount },
  // Slack takes files up to 1 GB; 20 MB (OpenClaw's default) keeps a reply from pushing huge files by accident.
  outbound: { textChunkLimit: SLACK_TEXT_LIMIT, hardLimit: SLACK_HARD_LIMIT, markdown: "slack-mrkdwn", mediaMaxMb: 20 },
  status: {
    describeAccount: (account) => ({
      mode: account.config.mode ?? (account.config.appToken ? "socket" : "http"),
      botTokenSource: account.config.botToken ? "config" : "none",
      appTokenSource: account.config.appToken ? "config" : "none",
      ...(account.config.apiUrl ? { baseUrl: account.config.apiUrl } : {}),
    }),
  },
  pairing: {
    idLabel: "Slack user id",
    normalizeAllowEntry: (entry) =>
      entry
        .trim()
        .replace(/^(slack|user):/i, "")
        .replace(/^<@([A-Z0-9]+)>$/, "$1"),
  },
  groups: {
    // `channels.<id>` (or "*") lists Slack channels; the generic `groups` map works too.
    resolveGroup: (account, msg) => {
      const entry = account.config.channels?.[msg.peerId] ?? account.config.channels?.["*"];
      const base = groupAccessFromConfig(account.config, msg.peerId);
      if (!entry) return base;
      const users = entry.users ?? entry.allowFrom;
      return {
        listed: true,
        enabled: entry.allow !== false && entry.enabled !== false,
        requireMention: entry.requireMention ?? account.config.requireMention ?? true,
        ...(users ? { allowFrom: users } : {}),
      };
    },
  },
  threading: { defaultReplyToMode: "off" },
};
