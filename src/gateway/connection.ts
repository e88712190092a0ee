import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import { webchatHubOf } from "../channels/webchat/hub.js";
import type { VisitorSession } from "../channels/webchat/session.js";
import { webchatSettings } from "../channels/webchat/settings.js";
import { admitVisitorConnect } from "../channels/webchat/visitor-connect.js";
import { visitorEventView } from "../channels/webchat/visitor-view.js";
import { type ErrorShape, PincerError, toErrorShape } from "../errors.js";
import { type AuthFailureLimiter, secretsEqual, type VisitorCredential, visitorCredentialOf } from "./auth.js";
import { verifyDeviceSignature } from "./device.js";
import { type EventSink, eventFrameText } from "./events.js";
import { buildHello, buildVisitorHello, VISITOR_ROLE } from "./hello.js";
import { callAsVisitor, VISITOR_METHODS } from "./methods/chat.js";
import type { MethodRegistry } from "./methods/registry.js";
import type { CallerInfo } from "./methods/types.js";
import {
  type ConnectParams,
  ConnectParamsSchema,
  formatIssues,
  PROTOCOL_VERSION,
  RequestFrameSchema,
  SCOPES,
  type Scope,
} from "./protocol/frames.js";
import type { GatewayServices } from "./services.js";

/** The connect frame must arrive within this long of the socket opening. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Before auth, frames are small (a connect request); anything bigger is an attack or a bug. */
export const PREAUTH_MAX_FRAME_BYTES = 64 * 1024;
/**
 * A visitor's frames carry one chat message (channels.webchat.maxMessageChars is at most 100,000 characters,
 * ≤ 400 KB as UTF-8) and small params; the operator's maxPayloadBytes is for config and attachments.
 */
export const VISITOR_MAX_FRAME_BYTES = 512 * 1024;
/** Malformed frames tolerated on an authenticated connection before it is closed. */
const MAX_BAD_FRAMES = 20;

/** WebSocket close codes used by the gateway (1008 policy violation, 1009 too big, 1001 going away). */
export const CloseCodes = { POLICY: 1008, TOO_BIG: 1009, GOING_AWAY: 1001, SLOW_CONSUMER: 4008 } as const;

export interface ConnectionDeps {
  services: GatewayServices;
  methods: MethodRegistry;
  limiter: AuthFailureLimiter;
  /** Origin check for browser clients (requests carrying an Origin header). */
  originAllowed: (origin: string, req: IncomingMessage) => boolean;
}

/** One WebSocket client from challenge to close. */
export class GatewayConnection implements EventSink {
  readonly connId = randomUUID();
  scopes: ReadonlySet<Scope> = new Set();
  private readonly nonce = randomBytes(16).toString("hex");
  private readonly abort = new AbortController();
  private readonly remote: string;
  private readonly origin: string | undefined;
  private authed = false;
  private seq = 0;
  private badFrames = 0;
  private connect?: ConnectParams;
  /** Set when this is a WebChat visitor: the one session it may use; it holds no operator scope. */
  private visitor?: VisitorSession;
  private handshakeTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** The TCP socket under `ws` (the upgrade request's), corked while a tick's frames are queued. */
  private readonly socket: Socket;
  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    req: IncomingMessage,
    private readonly deps: ConnectionDeps,
  ) {
    this.socket = req.socket;
    this.remote = req.socket.remoteAddress ?? "unknown";
    this.origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
    if (this.origin !== undefined && !deps.originAllowed(this.origin, req)) {
      ws.close(CloseCodes.POLICY, "origin not allowed");
      return;
    }
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.onClose());
    ws.on("error", (err) => deps.services.log.debug({ err, connId: this.connId }, "ws error"));
    this.handshakeTimer = setTimeout(() => this.close(CloseCodes.POLICY, "connect timeout"), HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimer.unref();
    this.sendFrame({ type: "event", event: "connect.challenge", payload: { nonce: this.nonce, ts: Date.now() } });
  }

  sendEvent(event: string, payload: unknown, payloadJson?: () => string | undefined): void {
    if (!this.authed) return;
    if (this.visitor) {
      const view = visitorEventView(event, payload, this.visitor.sessionKey);
      if (view === undefined) return;
      if (event === "chat" && (view as { state?: unknown }).state === "final") {
        webchatHubOf(this.deps.services).lastOutboundAt = Date.now();
      }
      this.sendFrame({ type: "event", event, payload: view, seq: this.seq++ });
      return;
    }
    // An operator sees the payload as broadcast: its JSON is rendered once for every connection.
    if (!this.writable()) return;
    const json = payloadJson ? payloadJson() : JSON.stringify(payload);
    this.write(eventFrameText(event, json, this.seq++));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private sendFrame(frame: object): void {
    if (this.writable()) this.write(JSON.stringify(frame));
  }

  /** Open and not over the buffer limit; a slow consumer is closed here. */
  private writable(): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    const { maxBufferedBytes } = this.deps.services.config.current.config.gateway;
    if (this.ws.bufferedAmount > maxBufferedBytes) {
      // A client that does not read must not make the gateway buffer without bound.
      this.deps.services.log.warn({ connId: this.connId, buffered: this.ws.bufferedAmount }, "closing slow consumer");
      this.ws.close(CloseCodes.SLOW_CONSUMER, "slow consumer: too much unread data");
      return false;
    }
    return true;
  }

  /**
   * Sends one text frame. The first frame since the last flush corks the socket and the flush waits for the
   * end of this event-loop iteration (setImmediate), so every frame the iteration produces (a turn's events,
   * and under load those of many turns) goes out in one `writev` per connection instead of one each; a
   * nextTick flush measured about three times the writev CPU, as a turn's frames come from several
   * callbacks of one iteration. Corked data still counts in `bufferedAmount`, so the slow-consumer limit
   * sees it, and frames keep their order (one socket, appended in send order).
   */
  private write(text: string): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.ws.send(text);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private respond(id: string, ok: true, payload: unknown): void;
  private respond(id: string, ok: false, error: ErrorShape): void;
  private respond(id: string, ok: boolean, body: unknown): void {
    this.sendFrame(ok ? { type: "res", id, ok, payload: body } : { type: "res", id, ok, error: body });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (!this.authed && size > PREAUTH_MAX_FRAME_BYTES) {
      this.close(CloseCodes.TOO_BIG, `connect frame over ${PREAUTH_MAX_FRAME_BYTES} bytes`);
      return;
    }
    if (this.visitor && size > VISITOR_MAX_FRAME_BYTES) {
      this.close(CloseCodes.TOO_BIG, `visitor frame over ${VISITOR_MAX_FRAME_BYTES} bytes`);
      return;
    }
    if (isBinary) {
      this.badFrame(undefined, "binary frames are not part of the protocol: send JSON text frames");
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch (err) {
      this.badFrame(undefined, `frame is not valid JSON (${(err as Error).message})`);
      return;
    }
    const frame = RequestFrameSchema.safeParse(parsed);
    if (!frame.success) {
      const id = typeof (parsed as { id?: unknown })?.id === "string" ? (parsed as { id: string }).id : undefined;
      this.badFrame(id, `not a request frame: ${formatIssues(frame.error)}`);
      return;
    }
    if (!this.authed) {
      void this.handleConnect(frame.data.id, frame.data.method, frame.data.params);
      return;
    }
    if (!this.visitor) this.deps.services.presence.touch(this.connId);
    void this.dispatch(frame.data.id, frame.data.method, frame.data.params);
  }

  private badFrame(id: string | undefined, message: string): void {
    if (!this.authed) {
      // Before auth there is nothing to keep: answer once, then close.
      if (id) this.respond(id, false, { code: "INVALID_REQUEST", message });
      this.close(CloseCodes.POLICY, message.slice(0, 120));
      return;
    }
    this.respond(id ?? "invalid-frame", false, { code: "INVALID_REQUEST", message });
    if (++this.badFrames > MAX_BAD_FRAMES) this.close(CloseCodes.POLICY, "too many malformed frames");
  }

  private async handleConnect(id: string, method: string, rawParams: unknown): Promise<void> {
    if (method !== "connect") {
      this.respond(id, false, {
        code: "INVALID_REQUEST",
        message: `first frame must be a connect request, got "${method}"`,
      });
      this.close(CloseCodes.POLICY, "first frame must be connect");
      return;
    }
    if (this.connect) return; // a second connect while the first is being checked
    const parsed = ConnectParamsSchema.safeParse(rawParams);
    if (!parsed.success) {
      this.respond(id, false, {
        code: "INVALID_REQUEST",
        message: `invalid connect params: ${formatIssues(parsed.error, "params")}`,
      });
      this.close(CloseCodes.POLICY, "invalid connect params");
      return;
    }
    const params = parsed.data;
    this.connect = params;
    const credential = visitorCredentialOf(params.auth);
    const admission: { failure?: ErrorShape | undefined; visitor?: VisitorSession } = credential
      ? await this.checkVisitor(params, credential).catch((err: unknown) => {
          this.deps.services.log.error({ err }, "checking a WebChat visitor failed");
          return { failure: { code: "UNAVAILABLE", message: "the gateway could not check the visitor token; retry" } };
        })
      : { failure: this.checkConnect(params) };
    // The socket may have closed (or timed out) while the visitor's secret was read.
    if (this.ws.readyState !== this.ws.OPEN) return;
    const failure = admission.failure;
    void this.deps.services.audit?.record(failure ? "auth.failure" : "auth.login", {
      connId: this.connId,
      client: params.client.id,
      mode: params.client.mode,
      role: credential ? VISITOR_ROLE : (params.role ?? "operator"),
      remote: this.remote,
      ...(failure ? { code: String((failure.details as { code?: unknown } | undefined)?.code ?? failure.code) } : {}),
    });
    if (failure) {
      this.respond(id, false, failure);
      this.close(CloseCodes.POLICY, failure.message.slice(0, 120));
      return;
    }
    clearTimeout(this.handshakeTimer);
    this.authed = true;
    const { services } = this.deps;
    if (admission.visitor) {
      this.admitVisitor(id, params, admission.visitor);
      return;
    }
    this.scopes = grantScopes(params.scopes);
    services.presence.upsert(this.connId, {
      host: params.client.displayName ?? params.client.id,
      ip: this.remote,
      version: params.client.version,
      platform: params.client.platform,
      mode: params.client.mode,
      reason: "connect",
      ts: Date.now(),
      onlineSince: Date.now(),
      roles: [params.role ?? "operator"],
      scopes: [...this.scopes],
      ...(params.client.instanceId ? { instanceId: params.client.instanceId } : {}),
      ...(params.device ? { deviceId: params.device.id } : {}),
    });
    this.respond(id, true, buildHello(services, this.connId, [...this.scopes], params.role ?? "operator"));
    // Subscribed only after hello-ok went out: the connect response must be the first frame after the challenge,
    // and the hello snapshot already holds the presence change this connection caused.
    this.unsubscribe = services.events.add(this);
    services.log.info(
      { connId: this.connId, client: params.client.id, mode: params.client.mode, remote: this.remote },
      "client connected",
    );
  }

  /** Protocol range, auth secret and device signature; returns the error to send, or undefined when admitted. */
  private checkConnect(params: ConnectParams): ErrorShape | undefined {
    const early = this.checkProtocolAndLockout(params);
    if (early) return early;
    const { services, limiter } = this.deps;
    const auth = services.auth;
    if (auth.mode !== "none") {
      const given = auth.mode === "token" ? params.auth?.token : params.auth?.password;
      if (!given) {
        limiter.recordFailure(this.remote);
        const code = auth.mode === "token" ? "AUTH_TOKEN_MISSING" : "AUTH_PASSWORD_MISSING";
        return {
          code: "UNAUTHORIZED",
          message: `this gateway requires a ${auth.mode}: pass it in connect auth.${auth.mode}`,
          details: { code },
        };
      }
      if (!secretsEqual(given, auth.secret ?? "")) {
        limiter.recordFailure(this.remote);
        const code = auth.mode === "token" ? "AUTH_TOKEN_MISMATCH" : "AUTH_PASSWORD_MISMATCH";
        return { code: "UNAUTHORIZED", message: `wrong gateway ${auth.mode}`, details: { code } };
      }
    }
    if (params.device) {
      const problem = verifyDeviceSignature(params, this.nonce, params.auth?.token ?? params.auth?.password ?? "");
      if (problem) {
        limiter.recordFailure(this.remote);
        return { code: "UNAUTHORIZED", message: problem.message, details: { code: problem.code } };
      }
    }
    limiter.recordSuccess(this.remote);
    return undefined;
  }

  /** Refusals that come before any credential is looked at: protocol range and the failed-auth lockout. */
  private checkProtocolAndLockout(params: ConnectParams): ErrorShape | undefined {
    if (params.minProtocol > PROTOCOL_VERSION || params.maxProtocol < PROTOCOL_VERSION) {
      return {
        code: "INVALID_REQUEST",
        message: `protocol mismatch: this gateway speaks v${PROTOCOL_VERSION}, the client accepts v${params.minProtocol}–v${params.maxProtocol}`,
        details: { code: "PROTOCOL_MISMATCH", expectedProtocol: PROTOCOL_VERSION },
      };
    }
    const lockedMs = this.deps.limiter.lockedFor(this.remote);
    if (lockedMs > 0) {
      return {
        code: "RATE_LIMITED",
        message: `too many failed auth attempts from ${this.remote}; retry in ${Math.ceil(lockedMs / 1000)} s`,
        retryable: true,
        retryAfterMs: lockedMs,
        details: { code: "AUTH_RATE_LIMITED" },
      };
    }
    return undefined;
  }

  /**
   * A WebChat visitor's connect (see admitVisitorConnect). A forged token counts towards the lockout like a
   * wrong operator token; a good one never clears the address's failures (minting visitors is free, so a valid
   * visitor login must not reset an attacker's count against the operator token).
   */
  private async checkVisitor(
    params: ConnectParams,
    credential: VisitorCredential,
  ): Promise<{ failure?: ErrorShape; visitor?: VisitorSession }> {
    const early = this.checkProtocolAndLockout(params);
    if (early) return { failure: early };
    const { services, limiter } = this.deps;
    const result = await admitVisitorConnect({
      config: services.config.current.config,
      hub: webchatHubOf(services),
      clientMode: params.client.mode,
      credential,
    });
    if (result.ok) return { visitor: result.visitor };
    if (result.authFailure) limiter.recordFailure(this.remote);
    return { failure: result.error };
  }

  private admitVisitor(id: string, params: ConnectParams, visitor: VisitorSession): void {
    const { services } = this.deps;
    this.visitor = visitor;
    this.scopes = new Set();
    const hub = webchatHubOf(services);
    hub.visitorConnected(this.connId, visitor.visitorId);
    const settings = webchatSettings(services.config.current.config);
    this.respond(
      id,
      true,
      buildVisitorHello(services, this.connId, visitor, {
        dmPolicy: settings.dmPolicy,
        maxMessageChars: settings.maxMessageChars,
        methods: VISITOR_METHODS,
        ...(settings.greeting ? { greeting: settings.greeting } : {}),
      }),
    );
    this.unsubscribe = services.events.add(this);
    services.log.info(
      { connId: this.connId, client: params.client.id, visitorId: visitor.visitorId, remote: this.remote },
      "webchat visitor connected",
    );
  }

  private async dispatch(id: string, method: string, params: unknown): Promise<void> {
    const caller: CallerInfo = {
      connId: this.connId,
      scopes: this.scopes,
      clientId: this.connect?.client.id ?? "unknown",
      clientMode: this.connect?.client.mode ?? "unknown",
      send: (event, payload) => this.sendEvent(event, payload),
    };
    try {
      const ctx = {
        services: this.deps.services,
        caller,
        signal: this.abort.signal,
        accept: (interim: unknown) => this.respond(id, true, interim),
      };
      const payload = this.visitor
        ? await callAsVisitor(method, params, ctx, this.visitor)
        : await this.deps.methods.call(method, params, ctx);
      this.respond(id, true, payload ?? {});
    } catch (err) {
      const shape = toErrorShape(err);
      if (!(err instanceof PincerError)) this.deps.services.log.error({ err, method }, "method failed");
      this.respond(id, false, shape);
    }
  }

  private onClose(): void {
    clearTimeout(this.handshakeTimer);
    this.abort.abort();
    this.unsubscribe?.();
    if (this.authed && this.visitor) {
      webchatHubOf(this.deps.services).visitorDisconnected(this.connId);
      this.deps.services.log.info({ connId: this.connId, visitorId: this.visitor.visitorId }, "webchat visitor left");
    } else if (this.authed) {
      this.deps.services.presence.remove(this.connId);
      this.deps.services.log.info({ connId: this.connId }, "client disconnected");
    }
  }
}

/**
 * Scopes the connection holds. A client that asks for none gets read + write (what a plain CLI needs);
 * unknown scope names are ignored. Authentication already happened, so requested scopes are granted.
 */
export function grantScopes(requested: string[] | undefined): ReadonlySet<Scope> {
  if (!requested || requested.length === 0) return new Set<Scope>(["operator.read", "operator.write"]);
  const known = new Set<string>(SCOPES);
  return new Set(requested.filter((s): s is Scope => known.has(s)));
}
