import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import type WebSocketType from "ws";
import { type ErrorShape, PincerError } from "../errors.js";
import { PINCER_VERSION } from "../version.js";

// ws is CommonJS: require() loads it in about half the time of an ESM import (the CJS lexer scans every file),
// and this module is on the path of every CLI command that talks to a gateway.
const WebSocket = createRequire(import.meta.url)("ws") as typeof WebSocketType;
type WebSocket = WebSocketType;

/**
 * The protocol version this client speaks. Equal to protocol/frames.ts PROTOCOL_VERSION (a test holds them
 * together), written here because importing frames.ts would load zod, ~60 ms of every `pincer gateway call`.
 */
export const CLIENT_PROTOCOL_VERSION = 4;

export interface ClientOptions {
  url: string;
  token?: string;
  password?: string;
  scopes?: string[];
  clientId?: string;
  mode?: "cli" | "ui" | "webchat" | "backend" | "test" | "probe";
  /** Handshake + first response deadline. */
  timeoutMs?: number;
  onEvent?: (event: string, payload: unknown, seq?: number) => void;
}

interface Pending {
  resolve: (payload: unknown) => void;
  reject: (err: PincerError) => void;
}

/**
 * A minimal gateway client (what the CLI and tests use): connect with the challenge handshake, call methods,
 * receive events. One socket, requests matched to responses by id.
 */
export class GatewayClient {
  hello: Record<string, unknown> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closedError: PincerError | undefined;

  private constructor(private readonly ws: WebSocket) {}

  static async connect(opts: ClientOptions): Promise<GatewayClient> {
    const ws = new WebSocket(opts.url, { handshakeTimeout: opts.timeoutMs ?? 10_000, maxPayload: 256 * 1024 * 1024 });
    const client = new GatewayClient(ws);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<GatewayClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new PincerError("UNAVAILABLE", `no answer from ${opts.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.on("error", (err) => {
        clearTimeout(timer);
        reject(
          new PincerError(
            "UNAVAILABLE",
            `cannot reach the gateway at ${opts.url}: ${err.message}. Is \`pincer gateway\` running?`,
          ),
        );
      });
      ws.on("close", (code, reason) => {
        clearTimeout(timer);
        const err = new PincerError("UNAVAILABLE", `connection closed (${code}${reason.length ? `: ${reason}` : ""})`);
        client.closedError = err;
        for (const p of client.pending.values()) p.reject(err);
        client.pending.clear();
        reject(err);
      });
      ws.on("message", (data) => {
        let frame: {
          type?: string;
          id?: string;
          ok?: boolean;
          payload?: unknown;
          error?: ErrorShape;
          event?: string;
          seq?: number;
        };
        try {
          frame = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (frame.type === "event" && frame.event === "connect.challenge") {
          const connectId = randomUUID();
          client.pending.set(connectId, {
            resolve: (payload) => {
              clearTimeout(timer);
              client.hello = payload as Record<string, unknown>;
              resolve(client);
            },
            reject: (err) => {
              clearTimeout(timer);
              ws.close();
              reject(err);
            },
          });
          ws.send(
            JSON.stringify({
              type: "req",
              id: connectId,
              method: "connect",
              params: {
                minProtocol: CLIENT_PROTOCOL_VERSION,
                maxProtocol: CLIENT_PROTOCOL_VERSION,
                client: {
                  id: opts.clientId ?? "cli",
                  version: PINCER_VERSION,
                  platform: process.platform,
                  mode: opts.mode ?? "cli",
                },
                role: "operator",
                scopes: opts.scopes ?? [
                  "operator.read",
                  "operator.write",
                  "operator.admin",
                  "operator.approvals",
                  "operator.pairing",
                ],
                auth: {
                  ...(opts.token ? { token: opts.token } : {}),
                  ...(opts.password ? { password: opts.password } : {}),
                },
              },
            }),
          );
          return;
        }
        if (frame.type === "event" && frame.event) {
          opts.onEvent?.(frame.event, frame.payload, frame.seq);
          return;
        }
        if (frame.type === "res" && frame.id) {
          const p = client.pending.get(frame.id);
          if (!p) return;
          client.pending.delete(frame.id);
          if (frame.ok) p.resolve(frame.payload);
          else {
            const e = frame.error ?? { code: "INTERNAL", message: "request failed" };
            p.reject(
              new PincerError(e.code, e.message, {
                details: e.details,
                ...(e.retryable !== undefined ? { retryable: e.retryable } : {}),
              }),
            );
          }
        }
      });
    });
  }

  call<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  close(): void {
    this.ws.close(1000);
  }
}
