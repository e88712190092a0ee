import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";

export type AuthMode = "none" | "token" | "password";

export interface ResolvedAuth {
  mode: AuthMode;
  /** The token or password the client must present; absent for mode none. */
  secret?: string;
}

/**
 * Auth from config, then environment (PINCER_GATEWAY_TOKEN / PINCER_GATEWAY_PASSWORD). An explicit mode wins;
 * otherwise a configured token means token auth, a password means password auth, neither means none.
 */
export function resolveAuth(config: PincerConfig, env: NodeJS.ProcessEnv = process.env): ResolvedAuth {
  const auth = config.gateway.auth;
  const token = auth.token ?? env.PINCER_GATEWAY_TOKEN;
  const password = auth.password ?? env.PINCER_GATEWAY_PASSWORD;
  const mode: AuthMode = auth.mode ?? (token ? "token" : password ? "password" : "none");
  if (mode === "token") {
    if (!token) {
      throw new PincerError(
        "CONFIG_INVALID",
        "gateway.auth.mode is token but no token is set: set gateway.auth.token or PINCER_GATEWAY_TOKEN",
      );
    }
    return { mode, secret: token };
  }
  if (mode === "password") {
    if (!password) {
      throw new PincerError(
        "CONFIG_INVALID",
        "gateway.auth.mode is password but no password is set: set gateway.auth.password or PINCER_GATEWAY_PASSWORD",
      );
    }
    return { mode, secret: password };
  }
  return { mode: "none" };
}

/** "loopback" → 127.0.0.1, "lan" → 0.0.0.0, anything else is taken as a host or IP literal. */
export function resolveBindHost(bind: string): string {
  if (bind === "loopback") return "127.0.0.1";
  if (bind === "lan") return "0.0.0.0";
  return bind;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (h.startsWith("::ffff:")) return isLoopbackHost(h.slice(7));
  return isIP(h) === 4 && h.startsWith("127.");
}

/** A gateway reachable from other machines must authenticate its clients. */
export function assertBindAllowed(host: string, auth: ResolvedAuth): void {
  if (!isLoopbackHost(host) && auth.mode === "none") {
    throw new PincerError(
      "CONFIG_INVALID",
      `refusing to bind ${host} without auth: set gateway.auth.token (or --token / PINCER_GATEWAY_TOKEN), or bind to loopback`,
    );
  }
}

/** Constant-time comparison that does not leak the length of the secret either. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Beyond this many addresses with recent failures, expired entries are dropped before adding more. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Counts failed auth per remote address; past `maxFailures` inside the window the address is locked out
 * for `lockoutMs`, so a token cannot be guessed by brute force.
 */
export class AuthFailureLimiter {
  private readonly failures = new Map<string, { count: number; firstAt: number; lockedUntil: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds the address must still wait, or 0. */
  lockedFor(address: string): number {
    const entry = this.failures.get(address);
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  recordFailure(address: string): void {
    const now = this.now();
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) this.prune(now);
    const entry = this.failures.get(address);
    if (!entry || now - entry.firstAt > this.lockoutMs) {
      this.failures.set(address, { count: 1, firstAt: now, lockedUntil: 0 });
      return;
    }
    entry.count += 1;
    if (entry.count >= this.maxFailures) entry.lockedUntil = now + this.lockoutMs;
  }

  recordSuccess(address: string): void {
    this.failures.delete(address);
  }

  get tracked(): number {
    return this.failures.size;
  }

  /** Forgets addresses whose window and lockout are over, so many one-off failures cannot grow the table. */
  private prune(now: number): void {
    for (const [address, entry] of this.failures) {
      if (now - entry.firstAt > this.lockoutMs && entry.lockedUntil <= now) this.failures.delete(address);
    }
  }
}

/**
 * A WebChat visitor's credential in connect `auth` (`visitorId` + `visitorToken`, issued by POST
 * /webchat/visitor). Present (even malformed) means the client asks to be a visitor, never an operator.
 */
export type VisitorCredential = { visitorId: string; token: string } | "malformed";

const VisitorCredentialSchema = z.object({ visitorId: z.string().max(128), visitorToken: z.string().max(512) });

export function visitorCredentialOf(auth: Record<string, unknown> | undefined): VisitorCredential | undefined {
  if (!auth || (auth.visitorToken === undefined && auth.visitorId === undefined)) return undefined;
  const parsed = VisitorCredentialSchema.safeParse(auth);
  return parsed.success ? { visitorId: parsed.data.visitorId, token: parsed.data.visitorToken } : "malformed";
}
