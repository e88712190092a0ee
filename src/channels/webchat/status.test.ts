import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../../config/schema.js";
import { buildChannelsStatus } from "../status.js";
import { WebChatHub } from "./hub.js";
import { withWebChatStatus } from "./status.js";

const hub = () => new WebChatHub({ credentialsDir: "/nonexistent", managerPairing: () => undefined }, () => 1_000);
const empty = () => buildChannelsStatus({ now: 0, entries: [], accounts: [], loadErrors: new Map() });

describe("withWebChatStatus", () => {
  it("adds nothing when channels.webchat is not configured", () => {
    const config = PincerConfigSchema.parse({});
    expect(withWebChatStatus(empty(), config, hub())).toEqual(empty());
  });

  it("adds the webchat account with its policy, connected visitors and last message time", () => {
    const config = PincerConfigSchema.parse({ channels: { webchat: { dmPolicy: "pairing", allowFrom: ["abc"] } } });
    const h = hub();
    h.visitorConnected("c1", "v1");
    h.visitorConnected("c2", "v1");
    h.visitorConnected("c3", "v2");
    h.lastInboundAt = 900;
    const status = withWebChatStatus(empty(), config, h);
    expect(status.channelOrder).toEqual(["webchat"]);
    expect(status.channels.webchat).toMatchObject({ configured: true, running: true, connected: true, accounts: 1 });
    expect(status.channelAccounts.webchat?.[0]).toMatchObject({
      accountId: "default",
      configured: true,
      dmPolicy: "pairing",
      allowFrom: ["abc"],
      connectedVisitors: 2,
      visitorConnections: 3,
      lastInboundAt: 900,
    });
  });

  it("reports a configured but disabled webchat as not running, saying which key turns it on", () => {
    const config = PincerConfigSchema.parse({ channels: { webchat: {} } });
    const account = withWebChatStatus(empty(), config, hub()).channelAccounts.webchat?.[0];
    expect(account).toMatchObject({ running: false, connected: false, dmPolicy: "disabled" });
    expect(account?.lastError).toContain("channels.webchat.dmPolicy");
  });
});
