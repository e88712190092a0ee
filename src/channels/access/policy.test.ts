import { describe, expect, it } from "vitest";
import type { CommonAccountConfig } from "../config-schema.js";
import type { InboundMessage } from "../envelope.js";
import { decideAccess } from "./policy.js";

function msg(over: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: "telegram",
    accountId: "default",
    chatType: "direct",
    peerId: "42",
    sender: { id: "42", username: "alice" },
    text: "hi",
    media: [],
    mentioned: false,
    mentions: [],
    messageId: "1",
    timestamp: 0,
    ...over,
  };
}
const group = (over: Partial<InboundMessage> = {}) => msg({ chatType: "group", peerId: "-100", ...over });

describe("decideAccess: direct messages from a stranger", () => {
  it.each([
    [{}, "pair"],
    [{ dmPolicy: "pairing" }, "pair"],
    [{ dmPolicy: "allowlist" }, "drop"],
    [{ dmPolicy: "open" }, "allow"],
    [{ dmPolicy: "disabled" }, "drop"],
  ] as [CommonAccountConfig, string][])("%j → %s", (config, action) => {
    expect(decideAccess({ msg: msg(), config, pairedFrom: [] }).action).toBe(action);
  });
});

describe("decideAccess: known senders", () => {
  it.each([
    ["config allowFrom by id", { allowFrom: ["42"] }, [], "allow"],
    ["config allowFrom by @username", { dmPolicy: "allowlist", allowFrom: ["@Alice"] }, [], "allow"],
    ["wildcard", { dmPolicy: "allowlist", allowFrom: ["*"] }, [], "allow"],
    ["paired", { dmPolicy: "pairing" }, ["42"], "allow"],
    ["paired counts under allowlist", { dmPolicy: "allowlist" }, ["42"], "allow"],
    ["other id", { dmPolicy: "allowlist", allowFrom: ["43"] }, ["44"], "drop"],
    ["disabled beats allowFrom", { dmPolicy: "disabled", allowFrom: ["42"] }, [], "drop"],
  ] as [string, CommonAccountConfig, string[], string][])("%s", (_name, config, paired, action) => {
    expect(decideAccess({ msg: msg(), config, pairedFrom: paired }).action).toBe(action);
  });

  it("applies the channel's entry normalization", () => {
    const decision = decideAccess({
      msg: msg(),
      config: { dmPolicy: "allowlist", allowFrom: ["tg:42"] },
      pairedFrom: [],
      normalizeEntry: (e) => e.replace(/^tg:/, ""),
    });
    expect(decision.action).toBe("allow");
  });
});

describe("decideAccess: groups", () => {
  it.each([
    ["unlisted group, stranger", {}, group({ mentioned: true }), "drop", "group-not-allowed"],
    ["unlisted group, owner mentions", { allowFrom: ["42"] }, group({ mentioned: true }), "allow", undefined],
    ["owner without mention", { allowFrom: ["42"] }, group(), "drop", "not-mentioned"],
    ["listed group, mentioned", { groups: { "-100": {} } }, group({ mentioned: true }), "allow", undefined],
    ["listed group, no mention", { groups: { "-100": {} } }, group(), "drop", "not-mentioned"],
    ["wildcard group", { groups: { "*": {} } }, group({ mentioned: true }), "allow", undefined],
    ["requireMention off", { groups: { "-100": { requireMention: false } } }, group(), "allow", undefined],
    ["account requireMention off", { groupPolicy: "open", requireMention: false }, group(), "allow", undefined],
    [
      "group disabled",
      { groups: { "-100": { enabled: false } } },
      group({ mentioned: true }),
      "drop",
      "group-disabled",
    ],
    [
      "policy disabled",
      { groupPolicy: "disabled", allowFrom: ["42"] },
      group({ mentioned: true }),
      "drop",
      "group-disabled",
    ],
    ["open policy", { groupPolicy: "open" }, group({ mentioned: true }), "allow", undefined],
    [
      "group sender list excludes",
      { groups: { "-100": { allowFrom: ["7"] } } },
      group({ mentioned: true }),
      "drop",
      "group-not-allowed",
    ],
    [
      "topic inherits its group",
      { groups: { "-100": {} } },
      group({ mentioned: true, parentPeerId: "-100", peerId: "-100:topic:5" }),
      "allow",
      undefined,
    ],
  ] as [string, CommonAccountConfig, InboundMessage, string, string | undefined][])(
    "%s",
    (_name, config, m, action, reason) => {
      const d = decideAccess({ msg: m, config, pairedFrom: [] });
      expect(d.action).toBe(action);
      if (reason) expect(d).toMatchObject({ reason });
    },
  );
});
