import { describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import {
  buildCronSessionKey,
  buildHookSessionKey,
  buildMainSessionKey,
  buildPeerSessionKey,
  isValidAgentId,
  normalizeAccountId,
  normalizeAgentId,
  type ParsedSessionKey,
  type PeerSessionKeyParams,
  parseSessionKey,
  resolveSessionKey,
  type SessionKeyDefaults,
  toRequestSessionKey,
  withThreadSuffix,
} from "./keys.js";

describe("normalizeAgentId", () => {
  it.each([
    ["Main", "main"],
    ["  ops  ", "ops"],
    ["", "main"],
    [undefined, "main"],
    ["My Agent!", "my-agent"],
    ["--x--", "x"],
    ["___", "___"],
    ["__proto__", "main"],
    ["a".repeat(80), "a".repeat(64)],
  ])("%j → %j", (input, expected) => {
    expect(normalizeAgentId(input)).toBe(expected);
  });

  it("validates ids", () => {
    expect(isValidAgentId("ops-1")).toBe(true);
    expect(isValidAgentId("-ops")).toBe(false);
    expect(isValidAgentId("")).toBe(false);
    expect(isValidAgentId("constructor")).toBe(false);
  });

  it("normalizes account ids with a default", () => {
    expect(normalizeAccountId(undefined)).toBe("default");
    expect(normalizeAccountId(" Work ")).toBe("work");
    expect(normalizeAccountId("prototype")).toBe("default");
  });
});

describe("buildMainSessionKey", () => {
  it.each([
    [{ agentId: "main" }, "agent:main:main"],
    [{ agentId: " Ops ", mainKey: " Work " }, "agent:ops:work"],
    [{ agentId: "", mainKey: "" }, "agent:main:main"],
  ])("%j → %s", (params, expected) => {
    expect(buildMainSessionKey(params)).toBe(expected);
  });
});

describe("buildPeerSessionKey", () => {
  const base = { agentId: "main", channel: "Telegram", peerId: " User42 ", accountId: "Biz" };
  const cases: Array<[string, PeerSessionKeyParams, string]> = [
    ["dm, scope main", { ...base, dmScope: "main" }, "agent:main:main"],
    ["dm, scope default is main", { ...base }, "agent:main:main"],
    ["dm, scope main honours mainKey", { ...base, mainKey: "home" }, "agent:main:home"],
    ["dm, per-peer", { ...base, dmScope: "per-peer" }, "agent:main:direct:user42"],
    ["dm, per-channel-peer", { ...base, dmScope: "per-channel-peer" }, "agent:main:telegram:direct:user42"],
    [
      "dm, per-account-channel-peer",
      { ...base, dmScope: "per-account-channel-peer" },
      "agent:main:telegram:biz:direct:user42",
    ],
    [
      "dm, per-account-channel-peer without account",
      { ...base, accountId: undefined, dmScope: "per-account-channel-peer" },
      "agent:main:telegram:default:direct:user42",
    ],
    ["dm without peer id falls back to main", { ...base, peerId: " ", dmScope: "per-peer" }, "agent:main:main"],
    [
      "dm, identity link replaces the peer id",
      { ...base, dmScope: "per-peer", identityLinks: { alice: ["telegram:user42", "discord:9"] } },
      "agent:main:direct:alice",
    ],
    [
      "dm, identity link ignored for scope main",
      { ...base, dmScope: "main", identityLinks: { alice: ["telegram:user42"] } },
      "agent:main:main",
    ],
    ["group", { ...base, peerKind: "group", peerId: "-100ABC" }, "agent:main:telegram:group:-100abc"],
    ["channel", { ...base, channel: "discord", peerKind: "channel", peerId: "123" }, "agent:main:discord:channel:123"],
    ["group without id", { ...base, peerKind: "group", peerId: "" }, "agent:main:telegram:group:unknown"],
    ["empty channel", { ...base, channel: " ", peerKind: "group", peerId: "g" }, "agent:main:unknown:group:g"],
    [
      "signal group ids keep their case",
      { ...base, channel: "signal", peerKind: "group", peerId: "AbC=+/" },
      "agent:main:signal:group:AbC=+/",
    ],
    [
      "matrix room ids keep their case",
      { ...base, channel: "matrix", peerKind: "channel", peerId: "!RoOm:Example.org" },
      "agent:main:matrix:channel:!RoOm:Example.org",
    ],
    [
      "agent id is normalized",
      { ...base, agentId: "Ops Team", peerKind: "group", peerId: "g" },
      "agent:ops-team:telegram:group:g",
    ],
  ];
  it.each(cases)("%s", (_name, params, expected) => {
    expect(buildPeerSessionKey(params)).toBe(expected);
  });
});

describe("withThreadSuffix, cron and hook keys", () => {
  it.each([
    ["agent:main:slack:channel:c1", "1712.55", "agent:main:slack:channel:c1:thread:1712.55"],
    ["agent:main:discord:channel:c1", "ABC", "agent:main:discord:channel:c1:thread:abc"],
    ["agent:main:matrix:channel:!R:x.org", "$EvT", "agent:main:matrix:channel:!R:x.org:thread:$EvT"],
    ["agent:main:main", " ", "agent:main:main"],
    ["agent:main:main", null, "agent:main:main"],
    ["agent:main:telegram:group:-1", 42, "agent:main:telegram:group:-1:thread:42"],
  ])("%s + %j → %s", (base, thread, expected) => {
    expect(withThreadSuffix(base, thread)).toBe(expected);
  });

  it("builds cron and hook keys", () => {
    expect(buildCronSessionKey("Main", "Nightly")).toBe("agent:main:cron:nightly");
    expect(buildHookSessionKey("ops", "8F2A")).toBe("agent:ops:hook:8f2a");
    expect(() => buildCronSessionKey("main", " ")).toThrow(PincerError);
    expect(() => buildHookSessionKey("main", "")).toThrow(PincerError);
  });
});

describe("parseSessionKey", () => {
  const cases: Array<[string, SessionKeyDefaults, ParsedSessionKey]> = [
    ["main", {}, { key: "agent:main:main", agentId: "main", rest: "main", kind: "main" }],
    [
      "MAIN",
      { defaultAgentId: "Ops", mainKey: "work" },
      { key: "agent:ops:work", agentId: "ops", rest: "work", kind: "main" },
    ],
    ["work", { mainKey: "work" }, { key: "agent:main:work", agentId: "main", rest: "work", kind: "main" }],
    [" Agent:Ops:Main ", {}, { key: "agent:ops:main", agentId: "ops", rest: "main", kind: "main" }],
    ["agent:ops:main", { mainKey: "work" }, { key: "agent:ops:main", agentId: "ops", rest: "main", kind: "other" }],
    [
      "agent:main:direct:User1",
      {},
      { key: "agent:main:direct:user1", agentId: "main", rest: "direct:user1", kind: "direct", peerId: "user1" },
    ],
    ["agent:main:dm:u1", {}, { key: "agent:main:dm:u1", agentId: "main", rest: "dm:u1", kind: "direct", peerId: "u1" }],
    [
      "agent:main:telegram:direct:42",
      {},
      {
        key: "agent:main:telegram:direct:42",
        agentId: "main",
        rest: "telegram:direct:42",
        kind: "direct",
        channel: "telegram",
        peerId: "42",
      },
    ],
    [
      "agent:main:telegram:biz:direct:42",
      {},
      {
        key: "agent:main:telegram:biz:direct:42",
        agentId: "main",
        rest: "telegram:biz:direct:42",
        kind: "direct",
        channel: "telegram",
        accountId: "biz",
        peerId: "42",
      },
    ],
    [
      "agent:main:telegram:group:-100:thread:7",
      {},
      {
        key: "agent:main:telegram:group:-100:thread:7",
        agentId: "main",
        rest: "telegram:group:-100:thread:7",
        kind: "group",
        channel: "telegram",
        peerId: "-100",
        threadId: "7",
      },
    ],
    [
      "agent:main:discord:channel:C1:Thread:T1",
      {},
      {
        key: "agent:main:discord:channel:c1:thread:t1",
        agentId: "main",
        rest: "discord:channel:c1:thread:t1",
        kind: "channel",
        channel: "discord",
        peerId: "c1",
        threadId: "t1",
      },
    ],
    [
      "agent:main:slack:room:R1",
      {},
      {
        key: "agent:main:slack:room:r1",
        agentId: "main",
        rest: "slack:room:r1",
        kind: "channel",
        channel: "slack",
        peerId: "r1",
      },
    ],
    [
      "Matrix:Channel:!RoOm:Ex.org:THREAD:$Ev",
      {},
      {
        key: "agent:main:matrix:channel:!RoOm:Ex.org:thread:$Ev",
        agentId: "main",
        rest: "matrix:channel:!RoOm:Ex.org:thread:$Ev",
        kind: "channel",
        channel: "matrix",
        peerId: "!RoOm:Ex.org",
        threadId: "$Ev",
      },
    ],
    [
      "agent:main:signal:group:AbC:thread:XY",
      {},
      {
        key: "agent:main:signal:group:AbC:thread:xy",
        agentId: "main",
        rest: "signal:group:AbC:thread:xy",
        kind: "group",
        channel: "signal",
        peerId: "AbC",
        threadId: "xy",
      },
    ],
    [
      "group:G1",
      { defaultAgentId: "ops" },
      { key: "agent:ops:group:g1", agentId: "ops", rest: "group:g1", kind: "group", peerId: "g1" },
    ],
    [
      "cron:Nightly",
      {},
      { key: "agent:main:cron:nightly", agentId: "main", rest: "cron:nightly", kind: "cron", jobId: "nightly" },
    ],
    [
      "agent:main:cron:job1:run:abc",
      {},
      {
        key: "agent:main:cron:job1:run:abc",
        agentId: "main",
        rest: "cron:job1:run:abc",
        kind: "cron",
        jobId: "job1",
      },
    ],
    [
      "hook:UUID-1",
      {},
      { key: "agent:main:hook:uuid-1", agentId: "main", rest: "hook:uuid-1", kind: "hook", hookId: "uuid-1" },
    ],
    [
      "agent:main:main:thread:9",
      {},
      { key: "agent:main:main:thread:9", agentId: "main", rest: "main:thread:9", kind: "main", threadId: "9" },
    ],
    ["agent:main:subagent:x", {}, { key: "agent:main:subagent:x", agentId: "main", rest: "subagent:x", kind: "other" }],
    ["node-abc", {}, { key: "agent:main:node-abc", agentId: "main", rest: "node-abc", kind: "other" }],
    ["agent::main::main", {}, { key: "agent:main:main", agentId: "main", rest: "main", kind: "main" }],
    ["cron", {}, { key: "agent:main:cron", agentId: "main", rest: "cron", kind: "other" }],
  ];
  it.each(cases)("%j", (raw, defaults, expected) => {
    expect(parseSessionKey(raw, defaults)).toEqual(expected);
  });

  it.each(["", "   ", "agent:", "agent:main", "agent::"])("rejects %j with INVALID_REQUEST", (raw) => {
    try {
      parseSessionKey(raw);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PincerError);
      expect((err as PincerError).code).toBe("INVALID_REQUEST");
    }
  });

  it("round-trips every built key", () => {
    const built = [
      buildMainSessionKey({ agentId: "a" }),
      buildPeerSessionKey({ agentId: "a", channel: "x", peerId: "p", dmScope: "per-account-channel-peer" }),
      buildPeerSessionKey({ agentId: "a", channel: "matrix", peerKind: "group", peerId: "!Q:h" }),
      withThreadSuffix(buildPeerSessionKey({ agentId: "a", channel: "s", peerKind: "channel", peerId: "c" }), "t"),
      buildCronSessionKey("a", "j"),
    ];
    for (const key of built) expect(resolveSessionKey(key)).toBe(key);
  });

  it("turns store keys into request keys", () => {
    expect(toRequestSessionKey("agent:main:cron:j")).toBe("cron:j");
    expect(toRequestSessionKey("agent:ops:main")).toBe("main");
  });
});
