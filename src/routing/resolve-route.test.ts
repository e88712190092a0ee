import { describe, expect, it } from "vitest";
import { type Binding, BindingsSchema } from "./bindings-schema.js";
import { type RouteInput, type RoutingConfig, resolveRoute } from "./resolve-route.js";

function config(bindings: unknown[], over: Partial<RoutingConfig["session"]> = {}): RoutingConfig {
  return {
    bindings: BindingsSchema.parse(bindings) as Binding[],
    agents: { list: [{ id: "main", default: true }, { id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }] },
    session: { dmScope: "main", mainKey: "main", ...over },
  };
}

const dm: RouteInput = { channel: "telegram", peer: { kind: "direct", id: "42" } };
const guildMsg: RouteInput = {
  channel: "discord",
  peer: { kind: "channel", id: "c1" },
  guildId: "g1",
  memberRoleIds: ["r2"],
};

describe("resolveRoute priority", () => {
  it.each([
    ["no bindings → default", [], dm, "main", "default"],
    ["channel", [{ agentId: "a", match: { channel: "telegram" } }], dm, "a", "binding.channel"],
    [
      "account beats channel",
      [
        { agentId: "a", match: { channel: "telegram", accountId: "*" } },
        { agentId: "b", match: { channel: "telegram", accountId: "default" } },
      ],
      dm,
      "b",
      "binding.account",
    ],
    [
      "peer beats account",
      [
        { agentId: "b", match: { channel: "telegram", accountId: "default" } },
        { agentId: "c", match: { channel: "telegram", peer: { kind: "dm", id: 42 } } },
      ],
      dm,
      "c",
      "binding.peer",
    ],
    [
      "peer wildcard below exact peer",
      [
        { agentId: "a", match: { channel: "telegram", peer: { kind: "direct", id: "*" } } },
        { agentId: "b", match: { channel: "telegram", peer: { kind: "direct", id: "42" } } },
      ],
      dm,
      "b",
      "binding.peer",
    ],
    [
      "guild+roles beats guild",
      [
        { agentId: "a", match: { channel: "discord", guildId: "g1" } },
        { agentId: "b", match: { channel: "discord", guildId: "g1", roles: ["r1", "r2"] } },
      ],
      guildMsg,
      "b",
      "binding.guild+roles",
    ],
    [
      "roles the sender lacks do not match",
      [
        { agentId: "a", match: { channel: "discord", guildId: "g1" } },
        { agentId: "b", match: { channel: "discord", guildId: "g1", roles: ["r9"] } },
      ],
      guildMsg,
      "a",
      "binding.guild",
    ],
    [
      "team",
      [{ agentId: "d", match: { channel: "slack", teamId: "T1" } }],
      { channel: "slack", peer: { kind: "channel", id: "C1" }, teamId: "T1" },
      "d",
      "binding.team",
    ],
    [
      "parent peer for a thread",
      [
        { agentId: "a", match: { channel: "discord", guildId: "g1" } },
        { agentId: "c", match: { channel: "discord", peer: { kind: "channel", id: "parent" } } },
      ],
      {
        ...guildMsg,
        peer: { kind: "channel", id: "thread1" },
        parentPeer: { kind: "channel", id: "parent" },
        threadId: "thread1",
      },
      "c",
      "binding.peer.parent",
    ],
    [
      "an account-less binding skips other accounts",
      [{ agentId: "a", match: { channel: "telegram" } }],
      { ...dm, accountId: "work" },
      "main",
      "default",
    ],
    ["other channel", [{ agentId: "a", match: { channel: "slack" } }], dm, "main", "default"],
    [
      "first in file order wins a tie",
      [
        { agentId: "a", match: { channel: "telegram" } },
        { agentId: "b", match: { channel: "telegram" } },
      ],
      dm,
      "a",
      "binding.channel",
    ],
  ])("%s", (_name, bindings, input, agentId, matchedBy) => {
    const route = resolveRoute(config(bindings), input as RouteInput);
    expect(route.agentId).toBe(agentId);
    expect(route.matchedBy).toBe(matchedBy);
  });

  it("falls back to the default agent when a binding names an unknown one", () => {
    const route = resolveRoute(config([{ agentId: "ghost", match: { channel: "telegram" } }]), dm);
    expect(route).toMatchObject({ agentId: "main", unknownAgentId: "ghost" });
  });
});

describe("resolveRoute session keys", () => {
  it.each([
    ["main", dm, "agent:main:main"],
    ["per-peer", dm, "agent:main:direct:42"],
    ["per-channel-peer", dm, "agent:main:telegram:direct:42"],
    ["per-account-channel-peer", { ...dm, accountId: "Work" }, "agent:main:telegram:work:direct:42"],
    ["main", { channel: "telegram", peer: { kind: "group", id: "-100" } }, "agent:main:telegram:group:-100"],
    [
      "main",
      { channel: "telegram", peer: { kind: "group", id: "-100" }, threadId: "7" },
      "agent:main:telegram:group:-100:thread:7",
    ],
    [
      "main",
      {
        channel: "discord",
        peer: { kind: "channel", id: "t1" },
        parentPeer: { kind: "channel", id: "p" },
        threadId: "t1",
      },
      "agent:main:discord:channel:p:thread:t1",
    ],
  ] as const)("dmScope %s: %j → %s", (dmScope, input, key) => {
    expect(resolveRoute(config([], { dmScope }), input as RouteInput).sessionKey).toBe(key);
  });

  it("caches per config object", () => {
    const cfg = config([{ agentId: "a", match: { channel: "telegram" } }]);
    expect(resolveRoute(cfg, dm)).toBe(resolveRoute(cfg, dm));
    const next = config([{ agentId: "b", match: { channel: "telegram" } }]);
    expect(resolveRoute(next, dm).agentId).toBe("b");
  });
});

describe("BindingsSchema", () => {
  it("rejects a binding without a channel, naming the field", () => {
    const result = BindingsSchema.safeParse([{ agentId: "a", match: {} }]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([0, "match", "channel"]);
  });
});
