import { describe, expect, it } from "vitest";
import { normalizeSlackEvent } from "./normalize.js";

const opts = { accountId: "default", botUserId: "UBOT", teamId: "T1" };
const base = { type: "message", user: "U1", ts: "1700000000.000100", text: "hi" };

describe("normalizeSlackEvent", () => {
  it("maps a DM to its sender, replying in the DM channel", () => {
    expect(normalizeSlackEvent({ ...base, channel: "D1", channel_type: "im" }, opts)).toMatchObject({
      chatType: "direct",
      peerId: "U1",
      mentioned: true,
      messageId: "D1:1700000000.000100",
      teamId: "T1",
      timestamp: 1_700_000_000_000,
    });
  });

  it.each([
    [
      "a channel message mentioning the bot",
      { channel: "C1", channel_type: "channel", text: "<@UBOT> go" },
      "channel",
      true,
      "go",
    ],
    ["a channel message without mention", { channel: "C1", channel_type: "channel" }, "channel", false, "hi"],
    ["an app_mention", { type: "app_mention", channel: "C1", text: "<@UBOT|pincer> go" }, "channel", true, "go"],
    ["a group DM", { channel: "G1", channel_type: "mpim" }, "group", false, "hi"],
  ])("%s", (_name, fields, chatType, mentioned, text) => {
    expect(normalizeSlackEvent({ ...base, ...fields }, opts)).toMatchObject({ chatType, mentioned, text });
  });

  it("keeps the thread of a threaded reply, not of a thread's parent", () => {
    expect(normalizeSlackEvent({ ...base, channel: "C1", thread_ts: "1.0" }, opts)?.threadId).toBe("1.0");
    expect(normalizeSlackEvent({ ...base, channel: "C1", thread_ts: base.ts }, opts)?.threadId).toBeUndefined();
  });

  it.each([
    ["an edit", { subtype: "message_changed" }],
    ["a bot post", { bot_id: "B1" }],
    ["its own message", { user: "UBOT" }],
    ["no user", { user: undefined }],
    ["garbage", { ts: 5 }],
  ])("skips %s", (_name, fields) => {
    expect(normalizeSlackEvent({ ...base, channel: "C1", ...fields }, opts)).toBeNull();
  });
});
