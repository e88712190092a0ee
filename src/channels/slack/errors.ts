import { PincerError } from "../../errors.js";

const AUTH_ERRORS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"]);

/** Slack Web API errors as Pincer errors. The WebClient waits out 429s itself; 5xx and network errors retry. */
export function slackError(err: unknown, what: string): PincerError {
  if (err instanceof PincerError) return err;
  const e = err as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(err);
  const apiError = typeof e?.data?.error === "string" ? e.data.error : undefined;
  if (apiError && AUTH_ERRORS.has(apiError)) {
    return new PincerError(
      "UNAUTHORIZED",
      `Slack rejected the token (${apiError}) on ${what}: check channels.slack.botToken / appToken (xoxb-… / xapp-…)`,
    );
  }
  if (e?.code === "slack_webapi_platform_error") {
    return new PincerError("INVALID_REQUEST", `Slack ${what} failed: ${apiError ?? message}`, {
      details: { error: apiError },
    });
  }
  if (typeof e?.statusCode === "number" && e.statusCode < 500) {
    return new PincerError("INVALID_REQUEST", `Slack ${what} failed (${e.statusCode}): ${message}`);
  }
  return new PincerError("UNAVAILABLE", `cannot reach Slack (${what}): ${message}`, { retryable: true, cause: err });
}
