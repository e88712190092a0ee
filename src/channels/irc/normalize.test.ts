import { describe, expect, it } from "vitest";
import { ircSenderMatches, normalizeIrcMessage } from "./normalize.js";

const opts = { accountId: "default", ownNick: "Pincer", fallbackId: () => "gen-1", now: 1000 };
const ev = (target: string, message: string, tags?: Record<string, string>) => ({
  nick: "alice",
  ident: "al",
  hostname: "host.example",
  target,
  message,
  ...(tags ? { tags } : {}),
});

describe("normalizeIrcMessage", () => {
  it.each([
    ["pincer: hello", true, "hello"],
    ["Pincer, hello", true, "hello"],
    ["@pincer: hi", true, "hi"],
    ["ask pincer about it", true, "ask pincer about it"],
    ["pincers are claws", false, "pincers are claws"],
    ["hello all", false, "hello all"],
  ])("channel message %j → mentioned %s, text %j", (message, mentioned, text) => {
    const msg = normalizeIrcMessage(ev("#Chan", message), opts);
    expect(msg).toMatchObject({ chatType: "group", peerId: "#chan", mentioned, text });
  });

  it("treats a message to the bot's nick as a DM from the sender, with the msgid tag as id", () => {
    const msg = normalizeIrcMessage(ev("Pincer", "hi", { msgid: "abc" }), opts);
    expect(msg).toMatchObject({
      chatType: "direct",
      peerId: "alice",
      mentioned: true,
      messageId: "abc",
      sender: { id: "alice", username: "al", address: "al@host.example" },
    });
  });

  it("ignores its own messages and generates an id without a msgid", () => {
    expect(normalizeIrcMessage({ ...ev("#c", "x"), nick: "pincer" }, opts)).toBeNull();
    expect(normalizeIrcMessage(ev("pincer", "x"), opts)?.messageId).toBe("gen-1");
  });
});

describe("ircSenderMatches", () => {
  const sender = { id: "Alice", address: "al@host.example" };
  it.each([
    ["alice", true],
    ["bob", false],
    ["alice!al@host.example", true],
    ["*!*@host.example", true],
    ["*!*@evil.example", false],
    ["alice!*@*", true],
  ])("%s → %s", (entry, expected) => {
    expect(ircSenderMatches(entry, sender)).toBe(expected);
  });
});
