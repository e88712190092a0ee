/**
 * The gateway token (or password) lives in this browser's localStorage, per gateway origin, and is sent
 * only inside the WebSocket connect frame: never in a URL, a cookie or a query string.
 */
const STORAGE_KEY = "pincer.gateway.secret";

export function loadSecret(): string | undefined {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    // Storage can be disabled (privacy modes, sandboxed frames): the person logs in per page load.
    return memorySecret;
  }
}

export function saveSecret(secret: string): void {
  memorySecret = secret;
  try {
    localStorage.setItem(STORAGE_KEY, secret);
  } catch {
    // Kept in memory only; see loadSecret.
  }
}

export function forgetSecret(): void {
  memorySecret = undefined;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

let memorySecret: string | undefined;

/** The gateway's WebSocket URL: the same host and port that served this page. */
export function gatewaySocketUrl(loc: Pick<Location, "protocol" | "host"> = location): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}`;
}
