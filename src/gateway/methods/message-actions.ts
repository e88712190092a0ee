import { z } from "zod";
import type { ChannelCapabilities } from "../../channels/plugin.js";
import { PincerError } from "../../errors.js";
import type { GatewayServices } from "../services.js";

/**
 * message.action's operations on an existing message: react, edit, delete, through the account's transport
 * (AccountTransport.react / edit / delete). A channel without the capability is refused the way OpenClaw
 * refuses it ("Channel X does not support action Y").
 */

const Id = z.union([z.string().min(1).max(256), z.number().int()]).transform(String);

const MessageRef = z.looseObject({
  target: z.string().min(1).max(512).optional(),
  to: z.string().min(1).max(512).optional(),
  messageId: Id,
  threadId: Id.optional(),
  accountId: z.string().min(1).optional(),
});

const ReactParams = MessageRef.extend({ emoji: z.string().min(1).max(64), remove: z.boolean().optional() });
const EditParams = MessageRef.extend({
  message: z.string().min(1).max(100_000).optional(),
  text: z.string().min(1).max(100_000).optional(),
});

export interface MessageActionRequest {
  channel: string;
  accountId?: string | undefined;
  params: Record<string, unknown>;
}

type ActionName = "react" | "edit" | "delete";

const CAPABILITY: Record<ActionName, keyof Pick<ChannelCapabilities, "reactions" | "edit" | "delete">> = {
  react: "reactions",
  edit: "edit",
  delete: "delete",
};

async function parse<S extends z.ZodType>(schema: S, params: unknown, action: string): Promise<z.infer<S>> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const { formatIssues } = await import("../protocol/frames.js");
  throw new PincerError(
    "INVALID_REQUEST",
    `invalid message.action ${action}: ${formatIssues(parsed.error, "params.params")}`,
  );
}

/** Runs react / edit / delete; resolves with OpenClaw's `{ ok, action, channel, messageId }`. */
export async function runMessageAction(services: GatewayServices, action: ActionName, req: MessageActionRequest) {
  const schema = action === "react" ? ReactParams : action === "edit" ? EditParams : MessageRef;
  const p = (await parse(schema, req.params, action)) as z.infer<typeof EditParams> & z.infer<typeof ReactParams>;
  const to = p.target ?? p.to;
  if (!to) throw new PincerError("INVALID_REQUEST", `params.params.target is required: the chat the message is in`);
  const { parseOutboundTarget, resolveOutboundAccount } = await import("./channel-outbound.js");
  const account = await resolveOutboundAccount(
    services.channels,
    services.config.current.config,
    req.channel,
    req.accountId || p.accountId,
  );
  const { plugin, manager, channel, accountId } = account;
  if (!plugin.capabilities[CAPABILITY[action]]) {
    throw new PincerError("INVALID_REQUEST", `Channel ${channel} does not support action ${action}.`);
  }
  const target = parseOutboundTarget(plugin, to, { threadId: p.threadId });
  const unsupported = () => new PincerError("INVALID_REQUEST", `Channel ${channel} does not support action ${action}.`);
  if (action === "react") {
    // Removing a reaction needs a platform call the transports do not have.
    if (p.remove) throw new PincerError("INVALID_REQUEST", `${plugin.meta.label} reactions cannot be removed here`);
    await manager.withTransport(channel, accountId, async (t) => {
      if (!t.react) throw unsupported();
      await t.react(target, p.messageId, p.emoji);
    });
  } else if (action === "edit") {
    const markdown = p.message ?? p.text;
    if (!markdown) throw new PincerError("INVALID_REQUEST", "params.params.message is required: the new text");
    const { formatFor } = await import("../../channels/inbound.js");
    const chunks = formatFor(plugin, account.accountConfig, markdown);
    if (chunks.length !== 1) {
      throw new PincerError("INVALID_REQUEST", `the new text is too long for one ${plugin.meta.label} message`);
    }
    await manager.withTransport(channel, accountId, async (t) => {
      if (!t.edit) throw unsupported();
      await t.edit(target, p.messageId, chunks[0] as string);
    });
  } else {
    await manager.withTransport(channel, accountId, async (t) => {
      if (!t.delete) throw unsupported();
      await t.delete(target, p.messageId);
    });
  }
  return { ok: true, action, channel, accountId, to: target.peerId, messageId: p.messageId };
}
