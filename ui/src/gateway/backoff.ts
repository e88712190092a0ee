/** First reconnect delay; doubles per failed attempt. */
export const RECONNECT_BASE_MS = 500;
/** Longest wait between reconnect attempts: a restarting gateway is usually back well within this. */
export const RECONNECT_MAX_MS = 15_000;

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with ±25 % jitter so many tabs
 * reconnecting to a restarted gateway do not arrive in lockstep. `random` is injectable for tests.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** What a failed connect means for the next step: retry later, or stop and ask the person. */
export type ConnectFailure =
  | { kind: "retry"; message: string }
  | { kind: "needs-token"; message: string }
  | { kind: "blocked"; message: string };

/**
 * Classifies a refused connect. Auth errors and policy refusals are not retried: retrying a wrong token only
 * counts towards the gateway's lockout, and a refused origin will be refused again.
 */
export function classifyConnectError(error: { code: string; message: string; details?: unknown }): ConnectFailure {
  const detail =
    typeof error.details === "object" && error.details !== null && "code" in error.details
      ? String((error.details as { code: unknown }).code)
      : "";
  if (error.code === "UNAUTHORIZED") {
    if (detail === "AUTH_VISITOR_TOKEN_INVALID") {
      return { kind: "needs-token", message: "This chat's visitor identity is no longer valid." };
    }
    if (detail.endsWith("_MISSING")) {
      return { kind: "needs-token", message: "This gateway needs a token (or password) to connect." };
    }
    if (detail.endsWith("_MISMATCH")) {
      return {
        kind: "needs-token",
        message: "The gateway refused this token: it is wrong or was changed. Enter the current one.",
      };
    }
    return { kind: "needs-token", message: `The gateway refused the login: ${error.message}` };
  }
  if (error.code === "RATE_LIMITED") {
    return { kind: "blocked", message: `Too many failed logins from this address. ${error.message}` };
  }
  if (error.code === "FORBIDDEN" && detail === "WEBCHAT_DISABLED") {
    return { kind: "blocked", message: "This chat is not available right now." };
  }
  if (error.code === "INVALID_REQUEST" && detail === "PROTOCOL_MISMATCH") {
    return { kind: "blocked", message: `This UI and the gateway speak different protocol versions: ${error.message}` };
  }
  return { kind: "retry", message: error.message };
}
