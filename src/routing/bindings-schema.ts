import { z } from "zod";

/**
 * `bindings` in pincer.json (OpenClaw's shape): each entry sends the messages its `match` selects to `agentId`.
 * The most specific match wins (see resolve-route.ts), then the first in file order.
 */

const Id = z.union([z.string().min(1), z.number()]).transform((v) => String(v).trim());

export const BindingMatchSchema = z.looseObject({
  channel: z.string().min(1),
  /** An account id, "*" for every account; unset means the default account only. */
  accountId: z.string().min(1).optional(),
  /** A conversation; id "*" matches every conversation of that kind. */
  peer: z
    .looseObject({
      kind: z.enum(["direct", "dm", "group", "channel"]),
      id: Id,
    })
    .optional(),
  guildId: Id.optional(),
  teamId: Id.optional(),
  /** Discord role ids: the binding applies when the sender holds any of them (needs guildId). */
  roles: z.array(Id).min(1).optional(),
});

export const BindingSchema = z.looseObject({
  agentId: z.string().min(1),
  match: BindingMatchSchema,
  comment: z.string().optional(),
});

export const BindingsSchema = z.array(BindingSchema);
export type Binding = z.infer<typeof BindingSchema>;
