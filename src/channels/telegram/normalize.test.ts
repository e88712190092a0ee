import { describe, expect, it } from "vitest";
import { normalizeTelegramUpdate } from "./normalize.js";

const bot = { id: 77, username: "PincerBot" };
const update = (message: Record<string, unknown>) => ({
  update_id: 1,
  message: { message_id: 5, date: 1_700_000_000, from: { id: 42, first_name: "Ada", username: "ada" }, ...message },
});

describe("normalizeTelegramUpdate", () => {
  it("maps a DM", () => {
    const msg = normalizeTelegramUpdate(update({ chat: { id: 42, type: "private" }, text: "hi" }), "default", bot);
    expect(msg).toMatchObject({
      chatType: "direct",
      peerId: "42",
      sender: { id: "42", name: "Ada", username: "ada" },
      text: "hi",
      mentioned: true,
      messageId: "42:5",
      timestamp: 1_700_000_000_000,
    });
  });

  it.each([
    ["an @mention", { text: "@pincerbot hi", entities: [{ type: "mention", offset: 0, length: 10 }] }, true],
    ["someone else's mention", { text: "@other hi", entities: [{ type: "mention", offset: 0, length: 6 }] }, false],
    [
      "a text mention",
      { text: "Pincer hi", entities: [{ type: "text_mention", offset: 0, length: 6, user: { id: 77 } }] },
      true,
    ],
    ["a reply to the bot", { text: "yes", reply_to_message: { message_id: 3, from: { id: 77, is_bot: true } } }, true],
    [
      "a command for the bot",
      { text: "/help@PincerBot", entities: [{ type: "bot_command", offset: 0, length: 15 }] },
      true,
    ],
    ["plain text", { text: "hello all" }, false],
  ])("group message with %s → mentioned %s", (_name, fields, mentioned) => {
    const msg = normalizeTelegramUpdate(
      update({ chat: { id: -100, type: "supergroup", title: "T" }, ...fields }),
      "a",
      bot,
    );
    expect(msg?.chatType).toBe("group");
    expect(msg?.mentioned).toBe(mentioned);
  });

  it("keeps a forum topic as the thread and media as references", () => {
    const msg = normalizeTelegramUpdate(
      update({
        chat: { id: -100, type: "supergroup", is_forum: true },
        message_thread_id: 9,
        is_topic_message: true,
        caption: "look",
        photo: [{ file_id: "small" }, { file_id: "large", file_size: 900 }],
      }),
      "a",
      bot,
    );
    expect(msg).toMatchObject({
      threadId: "9",
      text: "look",
      media: [{ kind: "image", ref: "large", sizeBytes: 900 }],
    });
  });

  it.each([
    ["an edit", { update_id: 1, edited_message: { message_id: 1 } }],
    ["a channel post", update({ chat: { id: -5, type: "channel" }, text: "x" })],
    ["another bot", update({ chat: { id: 1, type: "private" }, from: { id: 1, is_bot: true }, text: "x" })],
    ["garbage", { update_id: "nope" }],
    [
      "a message without sender",
      { update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: "private" } } },
    ],
  ])("skips %s", (_name, raw) => {
    expect(normalizeTelegramUpdate(raw, "a", bot)).toBeNull();
  });
});
