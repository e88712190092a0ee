import type { GatewayServices } from "../../gateway/services.js";
import { PairingStore } from "../access/pairing-store.js";
import { SlidingWindowLimiter } from "./rate-limit.js";
import { loadVisitorSecret } from "./visitor-token.js";

/**
 * What the gateway keeps for WebChat visitors while it runs: the token secret (read once), the rate limits,
 * the visitors connected now and when they last talked. One per gateway, reached through its services object
 * (a WeakMap, so tests that start several gateways in one process each get their own).
 */
export class WebChatHub {
  /** Messages per visitor per minute. */
  readonly messageLimiter: SlidingWindowLimiter;
  /** New visitor identities per remote address per minute: minting ids must not sidestep the message limit. */
  readonly issueLimiter: SlidingWindowLimiter;
  lastInboundAt: number | null = null;
  lastOutboundAt: number | null = null;
  private secret: Promise<Uint8Array> | undefined;
  private ownPairing: PairingStore | undefined;
  /** connId → visitorId of the visitor connections open now. */
  private readonly connected = new Map<string, string>();

  constructor(
    private readonly deps: {
      credentialsDir: string;
      /** The channel manager's pairing store while it runs. */
      managerPairing: () => PairingStore | undefined;
    },
    readonly now: () => number = Date.now,
  ) {
    this.messageLimiter = new SlidingWindowLimiter(now);
    this.issueLimiter = new SlidingWindowLimiter(now);
  }

  visitorSecret(): Promise<Uint8Array> {
    if (!this.secret) {
      const loading = loadVisitorSecret(this.deps.credentialsDir);
      // A failed read is not cached: the owner may fix the file and the next visitor succeeds.
      loading.catch(() => {
        if (this.secret === loading) this.secret = undefined;
      });
      this.secret = loading;
    }
    return this.secret;
  }

  /** The channel manager's store when it runs (one writer per file), else one on the same folder. */
  pairing(): PairingStore {
    const running = this.deps.managerPairing();
    if (running) return running;
    this.ownPairing ??= new PairingStore(this.deps.credentialsDir);
    return this.ownPairing;
  }

  visitorConnected(connId: string, visitorId: string): void {
    this.connected.set(connId, visitorId);
  }

  visitorDisconnected(connId: string): void {
    this.connected.delete(connId);
  }

  /** Distinct visitors with an open connection (a visitor with two tabs counts once). */
  get connectedVisitors(): number {
    return new Set(this.connected.values()).size;
  }

  get connections(): number {
    return this.connected.size;
  }
}

const hubs = new WeakMap<GatewayServices, WebChatHub>();

export function webchatHubOf(services: GatewayServices): WebChatHub {
  let hub = hubs.get(services);
  if (!hub) {
    hub = new WebChatHub({
      credentialsDir: services.paths.credentialsDir,
      managerPairing: () => services.channels?.pairing,
    });
    hubs.set(services, hub);
  }
  return hub;
}
