import { PincerError } from "../../errors.js";

/**
 * discord.js errors as Pincer errors. Its REST client already waits out 429s (retry_after) and retries 5xx a
 * few times; what reaches here is final, except a 5xx or network failure, which the delivery layer retries.
 */
export function discordError(err: unknown, what: string): PincerError {
  if (err instanceof PincerError) return err;
  const e = err as { status?: unknown; code?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  if (e?.code === "TokenInvalid" || e?.status === 401 || e?.code === 4004) {
    return new PincerError(
      "UNAUTHORIZED",
      `Discord rejected the bot token (${message}): check channels.discord.token (Developer Portal → Bot → Reset Token)`,
    );
  }
  if (e?.code === "DisallowedIntents" || e?.code === 4014) {
    return new PincerError(
      "FORBIDDEN",
      "Discord refused the Message Content intent: enable it in the Developer Portal (Bot → Privileged Gateway Intents)",
    );
  }
  if (typeof e?.status === "number" && e.status >= 500) {
    return new PincerError("UNAVAILABLE", `Discord ${what} failed (${e.status}): ${message}`, { retryable: true });
  }
  if (typeof e?.status === "number") {
    return new PincerError("INVALID_REQUEST", `Discord ${what} failed (${e.status}): ${message}`, {
      details: { status: e.status, code: e.code },
    });
  }
  return new PincerError("UNAVAILABLE", `cannot reach Discord (${what}): ${message}`, { retryable: true, cause: err });
}
