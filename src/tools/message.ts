import { z } from "zod";
import type { ChannelManager } from "../channels/manager.js";
import { mediaFromRef } from "../channels/outbound-media.js";
import { PincerError } from "../errors.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";

/** What the message tool needs of the channel manager. */
export type ChannelSender = Pick<ChannelManager, "sendText" | "sendMedia" | "accountIds">;

const MessageArgs = z
  .object({
    channel: z.string().min(1).describe("Channel id, e.g. telegram, discord, slack, irc."),
    to: z.string().min(1).describe("Who to send to: the peer, group or channel id on that platform."),
    text: z.string().min(1).max(20_000).optional().describe("The message; with media, its caption."),
    media: z
      .string()
      .min(1)
      .max(4_096)
      .optional()
      .describe("A file to attach: an https URL, or an absolute path to a file in the workspace."),
    chatType: z.enum(["direct", "group", "channel"]).optional().describe("Kind of target (default direct)."),
    accountId: z.string().min(1).optional().describe("Which account of the channel sends (default: the first)."),
    threadId: z.string().min(1).optional(),
  })
  .refine((a) => a.text !== undefined || a.media !== undefined, { message: "give text, media, or both" });

/** `message`: send text to a person, group or channel on a configured messaging channel. */
export function messageTool(env: { channels: () => ChannelSender | undefined }): AgentTool {
  return defineTool({
    name: "message",
    description:
      "Send a message (text, a file, or a file with a caption) to a person, group or channel on one of the configured messaging channels.",
    parameters: MessageArgs,
    async execute(_id, args) {
      const channels = env.channels();
      if (!channels)
        throw new PincerError("UNAVAILABLE", "no messaging channels are configured (channels in pincer.json)");
      const accounts = channels.accountIds().filter((a) => a.channel === args.channel);
      const account = args.accountId ? accounts.find((a) => a.accountId === args.accountId) : accounts[0];
      if (!account) {
        const known = [...new Set(channels.accountIds().map((a) => a.channel))].join(", ") || "none";
        throw new PincerError(
          "NOT_FOUND",
          args.accountId
            ? `channel ${args.channel} has no account ${args.accountId}`
            : `channel ${args.channel} is not configured (configured: ${known})`,
        );
      }
      const target = {
        chatType: args.chatType ?? "direct",
        peerId: args.to,
        ...(args.threadId ? { threadId: args.threadId } : {}),
      } as const;
      if (args.media) {
        const sent = await channels.sendMedia(
          args.channel,
          account.accountId,
          target,
          mediaFromRef(args.media, args.text),
        );
        if (!sent.ok) throw new PincerError(sent.error.code, `the attachment was not sent: ${sent.error.message}`);
      } else {
        await channels.sendText(args.channel, account.accountId, target, args.text ?? "");
      }
      return textResult(`Sent to ${args.to} on ${account.label} (${account.accountId}).`);
    },
  });
}
