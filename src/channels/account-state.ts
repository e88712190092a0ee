import { PincerError } from "../errors.js";
import type { RestartBudget } from "./backoff.js";
import type { CommonAccountConfig } from "./config-schema.js";
import type { AccountConnection, ChannelPlugin, ResolvedAccount } from "./plugin.js";
import type { AccountStatus } from "./status.js";

/** What the manager keeps per account, and the small pieces its loop needs. */

// biome-ignore lint/suspicious/noExplicitAny: accounts of every channel share one table.
export type AnyPlugin = ChannelPlugin<any>;

export interface AccountState {
  channel: string;
  accountId: string;
  plugin: AnyPlugin;
  account: ResolvedAccount<CommonAccountConfig>;
  /** The account's config as JSON: a reload restarts the account only when this changes. */
  fingerprint: string;
  status: AccountStatus;
  budget: RestartBudget;
  connection?: AccountConnection | undefined;
  stopper?: AbortController | undefined;
  loop?: Promise<void> | undefined;
  disconnectedSince?: number | undefined;
  transportWaiters: Set<() => void>;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Errors another attempt cannot fix: a rejected token, an invalid config. */
export function isFatal(err: unknown): boolean {
  return (
    err instanceof PincerError &&
    (err.code === "UNAUTHORIZED" || err.code === "CONFIG_INVALID" || err.code === "FORBIDDEN")
  );
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A fresh account record: status from config, nothing running yet. */
export function newAccountState(
  plugin: AnyPlugin,
  account: ResolvedAccount<CommonAccountConfig>,
  budget: RestartBudget,
): AccountState {
  return {
    channel: plugin.id,
    accountId: account.accountId,
    plugin,
    account,
    fingerprint: JSON.stringify(account),
    budget,
    transportWaiters: new Set(),
    status: {
      accountId: account.accountId,
      ...(account.config.name ? { name: account.config.name } : {}),
      enabled: account.enabled,
      configured: account.configured,
      running: false,
      connected: false,
      reconnectAttempts: 0,
      lastConnectedAt: null,
      lastError: account.configured ? null : (account.missing ?? "not configured"),
      lastStartAt: null,
      lastStopAt: null,
      lastInboundAt: null,
      lastOutboundAt: null,
      activeRuns: 0,
      busy: false,
      dmPolicy: account.config.dmPolicy ?? "pairing",
      allowFrom: account.config.allowFrom ?? [],
      ...(plugin.status?.describeAccount(account) ?? {}),
    },
  };
}
