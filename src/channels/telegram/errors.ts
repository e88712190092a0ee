import { PincerError } from "../../errors.js";

/**
 * grammY's errors as Pincer errors: a rejected token is UNAUTHORIZED (the manager stops retrying), 429 is
 * RATE_LIMITED with Telegram's retry_after, 5xx and network failures are retryable, the rest are final.
 */
export function telegramError(err: unknown, what: string): PincerError {
  if (err instanceof PincerError) return err;
  const e = err as {
    error_code?: unknown;
    description?: unknown;
    parameters?: { retry_after?: unknown };
    name?: unknown;
  };
  if (typeof e?.error_code === "number") {
    const status = e.error_code;
    const description = typeof e.description === "string" ? e.description : "error";
    if (status === 401 || (status === 404 && what === "getMe")) {
      return new PincerError(
        "UNAUTHORIZED",
        `Telegram rejected the bot token (${status} ${description}): check channels.telegram.botToken (a token from @BotFather)`,
      );
    }
    if (status === 429) {
      const seconds = typeof e.parameters?.retry_after === "number" ? e.parameters.retry_after : 1;
      return new PincerError("RATE_LIMITED", `Telegram rate limit on ${what}: retry after ${seconds} s`, {
        retryable: true,
        retryAfterMs: seconds * 1000,
      });
    }
    if (status >= 500 || status === 409) {
      return new PincerError("UNAVAILABLE", `Telegram ${what} failed (${status} ${description})`, { retryable: true });
    }
    return new PincerError("INVALID_REQUEST", `Telegram ${what} failed (${status} ${description})`, {
      details: { status, description },
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PincerError("UNAVAILABLE", `cannot reach the Telegram Bot API (${what}): ${message}`, {
    retryable: true,
    cause: err,
  });
}

/** Telegram refused our HTML: the reply goes out again as plain text. */
export function isEntityParseError(err: unknown): boolean {
  const d = (err as { details?: { description?: unknown } })?.details?.description;
  return typeof d === "string" && /can't parse entities|unsupported start tag|can't find end tag/i.test(d);
}
