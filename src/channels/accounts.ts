import type { z } from "zod";
import { PincerError } from "../errors.js";
import { DEFAULT_ACCOUNT_ID, normalizeAccountId } from "../sessions/keys.js";
import type { CommonAccountConfig } from "./config-schema.js";
import type { ChannelConfigAdapter, ResolvedAccount } from "./plugin.js";

/**
 * The account layout every channel shares: the section's own fields are the implicit "default" account (and the
 * defaults of every other), `accounts.<id>` adds accounts. When `accounts` is present its ids are the accounts;
 * the top level still counts as "default" when it holds credentials itself.
 */
export function accountConfigAdapter<C extends CommonAccountConfig>(opts: {
  channel: string;
  schema: z.ZodType;
  /** Returns what is missing (naming the key) or undefined when the account can connect. */
  missing(config: C, path: string): string | undefined;
  /** Keys that make the top level an account of its own when `accounts` is present too. */
  credentialKeys: readonly (keyof C & string)[];
}): ChannelConfigAdapter<C> {
  const parse = (section: unknown): Record<string, unknown> => {
    if (section === undefined || section === null) return {};
    const result = opts.schema.safeParse(section);
    if (!result.success) {
      throw new PincerError(
        "CONFIG_INVALID",
        `channels.${opts.channel} is invalid: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      );
    }
    return result.data as Record<string, unknown>;
  };
  const accountsOf = (parsed: Record<string, unknown>) =>
    (parsed.accounts ?? {}) as Record<string, Record<string, unknown>>;

  return {
    schema: opts.schema,
    listAccountIds(section) {
      const parsed = parse(section);
      const ids = Object.keys(accountsOf(parsed)).map(normalizeAccountId);
      const topLevelHasCredentials = opts.credentialKeys.some((k) => parsed[k] !== undefined);
      if (ids.length === 0 || topLevelHasCredentials) ids.unshift(DEFAULT_ACCOUNT_ID);
      return [...new Set(ids)];
    },
    resolveAccount(section, accountId) {
      const parsed = parse(section);
      const id = normalizeAccountId(accountId);
      const { accounts: _accounts, defaultAccount: _default, ...base } = parsed;
      const listed = Object.entries(accountsOf(parsed)).find(([k]) => normalizeAccountId(k) === id);
      const config = { ...base, ...(listed?.[1] ?? {}) } as C;
      const path = listed ? `channels.${opts.channel}.accounts.${listed[0]}` : `channels.${opts.channel}`;
      const missing = opts.missing(config, path);
      const resolved: ResolvedAccount<C> = {
        accountId: id,
        enabled: config.enabled !== false,
        configured: missing === undefined,
        config,
      };
      if (missing !== undefined) resolved.missing = missing;
      return resolved;
    },
  };
}
