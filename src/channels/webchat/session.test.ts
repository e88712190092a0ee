import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../../config/schema.js";
import { visitorRoute } from "./session.js";
import { webchatSettings } from "./settings.js";

const VISITOR = "0123456789abcdef0123456789abcdef";

function route(config: Record<string, unknown>) {
  const parsed = PincerConfigSchema.parse(config);
  return visitorRoute(parsed, webchatSettings(parsed), VISITOR);
}

describe("visitorRoute", () => {
  it.each([
    ["main (raised: a visitor never shares the owner's main session)", "main", `agent:main:webchat:direct:${VISITOR}`],
    ["per-peer", "per-peer", `agent:main:direct:${VISITOR}`],
    ["per-channel-peer", "per-channel-peer", `agent:main:webchat:direct:${VISITOR}`],
    ["per-account-channel-peer", "per-account-channel-peer", `agent:main:webchat:default:direct:${VISITOR}`],
  ])("dmScope %s", (_name, dmScope, key) => {
    expect(route({ session: { dmScope }, channels: { webchat: { dmPolicy: "open" } } }).sessionKey).toBe(key);
  });

  it("uses channels.webchat.agentId, else the binding for channel webchat", () => {
    const agents = { list: [{ id: "main", default: true }, { id: "support" }, { id: "sales" }] };
    expect(route({ agents, channels: { webchat: { dmPolicy: "open", agentId: "Support" } } })).toEqual({
      agentId: "support",
      sessionKey: `agent:support:webchat:direct:${VISITOR}`,
    });
    expect(
      route({
        agents,
        bindings: [{ agentId: "sales", match: { channel: "webchat" } }],
        channels: { webchat: { dmPolicy: "open" } },
      }).agentId,
    ).toBe("sales");
  });
});

describe("webchatSettings", () => {
  it("is disabled unless the owner picks a policy, and when switched off", () => {
    const of = (channels: Record<string, unknown> | undefined) =>
      webchatSettings(PincerConfigSchema.parse(channels ? { channels } : {})).dmPolicy;
    expect(of(undefined)).toBe("disabled");
    expect(of({ webchat: {} })).toBe("disabled");
    expect(of({ webchat: { enabled: false, dmPolicy: "open" } })).toBe("disabled");
    expect(of({ webchat: { dmPolicy: "pairing" } })).toBe("pairing");
  });

  it("refuses bad values in channels.webchat", () => {
    const bad = [{ dmPolicy: "everyone" }, { rateLimit: 0 }, { maxMessageChars: -1 }, { allowFrom: "x" }];
    for (const webchat of bad) expect(PincerConfigSchema.safeParse({ channels: { webchat } }).success).toBe(false);
  });
});
