import { describe, expect, it } from "vitest";
import { type ChannelSender, messageTool } from "./message.js";

const ctx = { signal: new AbortController().signal, agentId: "main", sessionKey: "agent:main:main" };

/** A channel side that records what it is asked to send. */
function recordingChannels(): ChannelSender & { sent: unknown[] } {
  const sent: unknown[] = [];
  return {
    sent,
    accountIds: () => [
      { channel: "telegram", label: "Telegram", accountId: "default" },
      { channel: "telegram", label: "Telegram", accountId: "work" },
    ],
    sendText: async (channel, accountId, target, text) => {
      sent.push({ channel, accountId, target, text });
    },
    sendMedia: async (channel, accountId, target, media) => {
      if (media.source.includes("missing"))
        return { ok: false, error: { code: "NOT_FOUND", message: `${media.source} does not exist` } };
      sent.push({ channel, accountId, target, media });
      return { ok: true, messageId: "m1" };
    },
  };
}

describe("message tool", () => {
  it("sends through the first account of the channel, or the one asked for", async () => {
    const channels = recordingChannels();
    const tool = messageTool({ channels: () => channels });
    await tool.execute("1", { channel: "telegram", to: "42", text: "hi" }, ctx);
    await tool.execute("2", { channel: "telegram", to: "-100", text: "yo", chatType: "group", accountId: "work" }, ctx);
    expect(channels.sent).toEqual([
      { channel: "telegram", accountId: "default", target: { chatType: "direct", peerId: "42" }, text: "hi" },
      { channel: "telegram", accountId: "work", target: { chatType: "group", peerId: "-100" }, text: "yo" },
    ]);
  });

  it("names what is missing: no channels, unknown channel, unknown account", async () => {
    await expect(
      messageTool({ channels: () => undefined }).execute("1", { channel: "x", to: "1", text: "t" }, ctx),
    ).rejects.toThrow(/no messaging channels are configured/);
    const tool = messageTool({ channels: () => recordingChannels() });
    await expect(tool.execute("1", { channel: "discord", to: "1", text: "t" }, ctx)).rejects.toThrow(
      /discord is not configured \(configured: telegram\)/,
    );
    await expect(
      tool.execute("1", { channel: "telegram", to: "1", text: "t", accountId: "nope" }, ctx),
    ).rejects.toThrow(/has no account nope/);
  });

  it("attaches a file, with the text as its caption; a refused attachment is an error naming why", async () => {
    const channels = recordingChannels();
    const tool = messageTool({ channels: () => channels });
    await tool.execute(
      "1",
      { channel: "telegram", to: "42", media: "https://example.com/a/chart.png", text: "Q3" },
      ctx,
    );
    expect(channels.sent).toEqual([
      {
        channel: "telegram",
        accountId: "default",
        target: { chatType: "direct", peerId: "42" },
        media: { kind: "image", source: "https://example.com/a/chart.png", fileName: "chart.png", caption: "Q3" },
      },
    ]);
    await expect(tool.execute("2", { channel: "telegram", to: "42", media: "/tmp/missing.pdf" }, ctx)).rejects.toThrow(
      /attachment was not sent: \/tmp\/missing.pdf does not exist/,
    );
  });
});
