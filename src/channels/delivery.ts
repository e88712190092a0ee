import { PincerError } from "../errors.js";
import type { AccountTransport } from "./plugin.js";

/**
 * Sends with retries: a 429 waits what the platform asked (retryAfterMs), a transient failure (5xx, network)
 * backs off 1 s, 2 s, 4 s …, and a disconnected account is waited for, so a reply written while the platform
 * dropped the connection still arrives once it is back. Anything else fails at once.
 */

/** A platform asking for more than this is treated as down; the reply is dropped with an error in status. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;
export const SEND_ATTEMPTS = 5;
/** How long a reply waits for its account to reconnect. */
export const RECONNECT_WAIT_MS = 2 * 60_000;

export interface DeliveryContext {
  /** The account's transport as of now (undefined while disconnected). */
  transport(): AccountTransport | undefined;
  /** Resolves with a transport once the account is connected, or undefined after `timeoutMs`. */
  waitForTransport(timeoutMs: number, signal: AbortSignal): Promise<AccountTransport | undefined>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
}

function isTransient(err: unknown): boolean {
  if (err instanceof PincerError) return err.retryable === true || err.code === "RATE_LIMITED";
  const code = (err as { code?: unknown })?.code;
  return (
    typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_)/.test(code)
  );
}

export async function sendWithRetry<T>(ctx: DeliveryContext, op: (t: AccountTransport) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
    const transport = ctx.transport() ?? (await ctx.waitForTransport(RECONNECT_WAIT_MS, ctx.signal));
    if (!transport) {
      throw new PincerError(
        "UNAVAILABLE",
        `the account stayed disconnected for ${RECONNECT_WAIT_MS / 1000} s; the reply was not sent`,
        { cause: lastError },
      );
    }
    try {
      return await op(transport);
    } catch (err) {
      lastError = err;
      if (!isTransient(err) || attempt === SEND_ATTEMPTS || ctx.signal.aborted) throw err;
      const retryAfter = err instanceof PincerError ? err.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) throw err;
      await ctx.sleep(retryAfter ?? 1000 * 2 ** (attempt - 1), ctx.signal);
    }
  }
  throw lastError;
}
