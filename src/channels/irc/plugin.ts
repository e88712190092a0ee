import { groupAccessFromConfig } from "../access/policy.js";
import { accountConfigAdapter } from "../accounts.js";
import { type IrcAccountConfig, IrcConfigSchema } from "../config-schema.js";
import type { ChannelPlugin } from "../plugin.js";
import { startIrcAccount } from "./connection.js";
import { ircSenderMatches } from "./normalize.js";

/** Bytes left for text in a 512-byte IRC line after the prefix, command and target: 350 is the safe figure. */
export const IRC_LINE_LIMIT = 350;

export const ircPlugin: ChannelPlugin<IrcAccountConfig> = {
  id: "irc",
  meta: { label: "IRC", detailLabel: "IRC Client", order: 40 },
  capabilities: {
    chatTypes: ["direct", "group"],
    threads: false,
    media: false,
    typing: false,
    reactions: false,
    edit: false,
    delete: false,
  },
  config: accountConfigAdapter<IrcAccountConfig>({
    channel: "irc",
    schema: IrcConfigSchema,
    credentialKeys: ["host", "nick"],
    missing(cfg, path) {
      if (!cfg.host) return `${path}.host is missing: the IRC server to connect to`;
      if (!cfg.nick) return `${path}.nick is missing: the nickname the assistant uses`;
      return undefined;
    },
  }),
  gateway: { startAccount: startIrcAccount },
  outbound: { textChunkLimit: IRC_LINE_LIMIT, hardLimit: IRC_LINE_LIMIT, markdown: "plain" },
  status: {
    describeAccount: (account) => ({
      mode: account.config.tls ? "tls" : "plain",
      baseUrl: `${account.config.host ?? "?"}:${account.config.port ?? (account.config.tls ? 6697 : 6667)}`,
    }),
  },
  pairing: { idLabel: "IRC nick", normalizeAllowEntry: (entry) => entry.trim().replace(/^irc:/i, "") },
  security: { senderMatches: ircSenderMatches },
  groups: {
    // Channels the account joins on purpose (channels: [...]) count as listed; mentions are still required.
    resolveGroup: (account, msg) => {
      const access = groupAccessFromConfig(account.config, msg.peerId);
      const joined = (account.config.channels ?? []).some((c) => c.toLowerCase() === msg.peerId);
      return joined ? { ...access, listed: true } : access;
    },
  },
  threading: { defaultReplyToMode: "off" },
};
