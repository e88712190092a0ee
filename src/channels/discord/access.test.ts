import { describe, expect, it } from "vitest";
import { decideAccess } from "../access/policy.js";
import type { DiscordAccountConfig } from "../config-schema.js";
import type { InboundMessage } from "../envelope.js";
import { discordGroupAccess, normalizeDiscordEntry } from "./access.js";

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: "discord",
  accountId: "default",
  chatType: "channel",
  peerId: "c1",
  guildId: "g1",
  memberRoleIds: ["r1"],
  sender: { id: "u1" },
  text: "hi",
  media: [],
  mentioned: true,
  mentions: [],
  messageId: "m1",
  timestamp: 0,
  ...over,
});

function decide(config: DiscordAccountConfig, m: InboundMessage = msg()) {
  const account = { accountId: "default", enabled: true, configured: true, config };
  return decideAccess({ msg: m, config, pairedFrom: [], group: discordGroupAccess(account, m) });
}

describe("discordGroupAccess", () => {
  it.each([
    ["guild not listed", {}, msg(), "drop"],
    ["guild listed", { guilds: { g1: {} } }, msg(), "allow"],
    ["wildcard guild", { guilds: { "*": {} } }, msg(), "allow"],
    ["listed guild, channel not in its list", { guilds: { g1: { channels: { c2: {} } } } }, msg(), "drop"],
    ["listed channel", { guilds: { g1: { channels: { c1: {} } } } }, msg(), "allow"],
    [
      "thread under a listed channel",
      { guilds: { g1: { channels: { c1: {} } } } },
      msg({ peerId: "t1", parentPeerId: "c1" }),
      "allow",
    ],
    ["channel switched off", { guilds: { g1: { channels: { c1: { allow: false } } } } }, msg(), "drop"],
    ["users list excludes", { guilds: { g1: { users: ["u9"] } } }, msg(), "drop"],
    ["role admits", { guilds: { g1: { users: ["u9"], roles: ["r1"] } } }, msg(), "allow"],
    ["no mention", { guilds: { g1: {} } }, msg({ mentioned: false }), "drop"],
    ["mention not required", { guilds: { g1: { requireMention: false } } }, msg({ mentioned: false }), "allow"],
  ] as [string, DiscordAccountConfig, InboundMessage, string][])("%s → %s", (_name, config, m, action) => {
    expect(decide(config, m).action).toBe(action);
  });
});

describe("normalizeDiscordEntry", () => {
  it.each([
    ["discord:123", "123"],
    ["<@!123>", "123"],
    ["<@123>", "123"],
    [" user:42 ", "42"],
  ])("%s → %s", (entry, id) => {
    expect(normalizeDiscordEntry(entry)).toBe(id);
  });
});
