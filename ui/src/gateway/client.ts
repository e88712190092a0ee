import { classifyConnectError, reconnectDelayMs } from "./backoff.js";
import { type ConnectParams, type Hello, HelloSchema, PROTOCOL_VERSION, parseServerFrame, SCOPES } from "./frames.js";

/** Where the connection stands, for the status pill and the login panel. */
export type ConnectionStatus =
  | { phase: "connecting"; attempt: number }
  | { phase: "open"; hello: Hello }
  | { phase: "retrying"; attempt: number; retryAt: number; message: string }
  | { phase: "needs-token"; message: string }
  | { phase: "blocked"; message: string };

/** A failed call: the gateway's error code and message (or UNAVAILABLE when the socket dropped). */
export class GatewayCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "GatewayCallError";
  }
}

/** A WebChat visitor's identity, issued by the gateway's POST /webchat/visitor. */
export interface VisitorCredential {
  visitorId: string;
  token: string;
}

export interface BrowserGatewayOptions {
  /** ws:// or wss:// URL of the gateway (the page's own host). */
  url: string;
  /** Read on every connect so a new login is used on the next attempt. */
  secret: () => string | undefined;
  /**
   * When it returns a credential, the connection is a WebChat visitor's: it presents that instead of the
   * operator secret and asks for no operator role or scope (the gateway grants a visitor none anyway).
   */
  visitor?: () => VisitorCredential | undefined;
  mode: "ui" | "webchat";
  clientId: string;
  version: string;
}

/** How long a call waits for its response before failing. */
const CALL_TIMEOUT_MS = 60_000;
/** Silence longer than this many tick intervals means the socket is dead even if the browser has not noticed. */
const TICK_MISSES_BEFORE_RECONNECT = 2.5;

interface Pending {
  resolve: (payload: unknown) => void;
  reject: (err: GatewayCallError) => void;
  timer: ReturnType<typeof setTimeout>;
}

type Listener<T> = (value: T) => void;

/**
 * The browser's gateway connection: challenge → connect (token only ever in that frame) → hello-ok, calls
 * matched by id, events fanned out, and reconnection with capped exponential backoff. Wrong credentials stop
 * the loop and ask for a token instead of hammering the gateway's lockout.
 */
export class BrowserGateway {
  status: ConnectionStatus = { phase: "connecting", attempt: 0 };
  private ws: WebSocket | undefined;
  private attempt = 0;
  private nextId = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>();
  private readonly statusListeners = new Set<Listener<ConnectionStatus>>();

  constructor(private readonly opts: BrowserGatewayOptions) {}

  /**
   * The hello of the current connection, or of the last one while reconnecting: pages stay on screen (their
   * calls fail as UNAVAILABLE meanwhile) instead of flashing away on every network hiccup.
   */
  get hello(): Hello | undefined {
    return this.status.phase === "open" ? this.status.hello : this.lastHello;
  }

  private lastHello: Hello | undefined;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.ws?.close(1000, "client closed");
    this.ws = undefined;
  }

  /** Drops the current connection (if any) and connects again at once, e.g. after a new token was entered. */
  reconnectNow(): void {
    this.stop();
    this.start();
  }

  call<T = unknown>(method: string, params: unknown = {}, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    const ws = this.ws;
    if (!ws || this.status.phase !== "open" || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new GatewayCallError("UNAVAILABLE", "not connected to the gateway"));
    }
    const id = `ui-${++this.nextId}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayCallError("TIMEOUT", `${method} got no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: (p) => resolve(p as T), reject, timer });
      ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  onEvent(fn: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }

  onStatus(fn: Listener<ConnectionStatus>): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const fn of this.statusListeners) fn(status);
  }

  private open(): void {
    this.setStatus({ phase: "connecting", attempt: this.attempt });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.url);
    } catch (err) {
      this.scheduleRetry(`cannot open ${this.opts.url}: ${(err as Error).message}`);
      return;
    }
    this.ws = ws;
    let refusal: { kind: "needs-token" | "blocked"; message: string } | undefined;
    let lastError = "the gateway closed the connection";
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== "string") return;
      this.armWatchdog(ws);
      const frame = parseServerFrame(ev.data);
      if (!frame) return;
      if (frame.type === "event") {
        if (frame.event === "connect.challenge") {
          this.sendConnect(ws, (failure) => {
            if (failure.kind === "retry") lastError = failure.message;
            else refusal = failure;
          });
          return;
        }
        for (const fn of this.eventListeners) fn(frame.event, frame.payload);
        return;
      }
      const pending = this.pending.get(frame.id);
      if (!pending) return;
      this.pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.ok) pending.resolve(frame.payload);
      else
        pending.reject(
          new GatewayCallError(frame.error?.code ?? "INTERNAL", frame.error?.message ?? "failed", frame.error?.details),
        );
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearTimeout(this.watchdog);
      const dropped = new GatewayCallError("UNAVAILABLE", "the connection to the gateway dropped");
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(dropped);
        this.pending.delete(id);
      }
      if (this.stopped) return;
      if (refusal) {
        this.setStatus({ phase: refusal.kind, message: refusal.message });
        return;
      }
      if (ev.code === 1008 && /origin/i.test(ev.reason)) {
        this.setStatus({
          phase: "blocked",
          message: `The gateway refused this page's origin (${location.origin}). Add it to gateway.controlUi.allowedOrigins.`,
        });
        return;
      }
      this.scheduleRetry(ev.reason || lastError);
    };
  }

  private sendConnect(ws: WebSocket, onRefused: (f: ReturnType<typeof classifyConnectError>) => void): void {
    const visitor = this.opts.visitor?.();
    const secret = visitor ? undefined : this.opts.secret();
    const params: ConnectParams = {
      minProtocol: PROTOCOL_VERSION,
      maxProtocol: PROTOCOL_VERSION,
      client: {
        id: this.opts.clientId,
        version: this.opts.version,
        platform: "web",
        mode: this.opts.mode,
        ...(Intl.DateTimeFormat().resolvedOptions().timeZone
          ? { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }
          : {}),
      },
      ...(visitor
        ? { role: "webchat-visitor", auth: { visitorId: visitor.visitorId, visitorToken: visitor.token } }
        : {
            role: "operator",
            scopes: [...SCOPES],
            // One field for the person, so it is sent as both: the gateway reads the one its auth mode uses.
            ...(secret ? { auth: { token: secret, password: secret } } : {}),
          }),
      userAgent: navigator.userAgent,
      locale: navigator.language,
    };
    const id = `connect-${++this.nextId}`;
    const timer = setTimeout(() => ws.close(4000, "connect timed out"), CALL_TIMEOUT_MS);
    this.pending.set(id, {
      timer,
      resolve: (payload) => {
        const hello = HelloSchema.safeParse(payload);
        if (!hello.success) {
          onRefused({ kind: "blocked", message: "the gateway answered connect with an unexpected hello" });
          ws.close(1002, "bad hello");
          return;
        }
        this.attempt = 0;
        this.lastHello = hello.data;
        this.setStatus({ phase: "open", hello: hello.data });
      },
      reject: (err) => onRefused(classifyConnectError(err)),
    });
    ws.send(JSON.stringify({ type: "req", id, method: "connect", params }));
  }

  private scheduleRetry(message: string): void {
    const delay = reconnectDelayMs(this.attempt);
    this.attempt += 1;
    this.setStatus({ phase: "retrying", attempt: this.attempt, retryAt: Date.now() + delay, message });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, delay);
  }

  /** Any frame proves the socket alive; the gateway ticks every tickIntervalMs, so long silence means dead. */
  private armWatchdog(ws: WebSocket): void {
    clearTimeout(this.watchdog);
    const tick = this.hello?.policy?.tickIntervalMs ?? 30_000;
    this.watchdog = setTimeout(() => {
      if (this.ws === ws) ws.close(4001, "no frames from the gateway; reconnecting");
    }, tick * TICK_MISSES_BEFORE_RECONNECT);
  }
}
