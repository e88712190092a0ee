import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import WebSocket from "ws";

/**
 * Conformance checks against OpenClaw's published protocol schema (@openclaw/gateway-protocol), plus a raw
 * WebSocket client that validates every frame the gateway sends. The schema is draft-07, so the default Ajv
 * class (draft-07) is the right one; its `definitions` have no cross-$refs and are compiled on first use, once.
 */

// The package's exports map does not expose the JSON file, so it is read from node_modules directly.
export const PROTOCOL_SCHEMA_PATH = join(
  import.meta.dirname,
  "../../node_modules/@openclaw/gateway-protocol/protocol.schema.json",
);

interface ProtocolSchema {
  $id: string;
  definitions: Record<string, unknown>;
}

export class ProtocolValidator {
  private readonly ajv: Ajv;
  private readonly schema: ProtocolSchema;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(schemaPath = PROTOCOL_SCHEMA_PATH) {
    this.schema = JSON.parse(readFileSync(schemaPath, "utf8")) as ProtocolSchema;
    // strict: false because the schema carries vendor keywords (x-openclaw-since) and a discriminator at its root.
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.schema);
  }

  has(definition: string): boolean {
    return definition in this.schema.definitions;
  }

  /** A validator for a fragment of a definition, e.g. `Snapshot/properties/health`. */
  private validatorFor(pointer: string): ValidateFunction {
    let fn = this.compiled.get(pointer);
    if (!fn) {
      const root = pointer.split("/")[0] ?? pointer;
      if (!this.has(root)) throw new Error(`protocol schema has no definition "${root}"`);
      fn = this.ajv.getSchema(`${this.schema.$id}#/definitions/${pointer}`);
      if (!fn) throw new Error(`protocol schema has no fragment "${pointer}"`);
      this.compiled.set(pointer, fn);
    }
    return fn;
  }

  /** The problems of `value` against `pointer` (a definition name or a path inside one); [] when it conforms. */
  errors(pointer: string, value: unknown): string[] {
    const fn = this.validatorFor(pointer);
    if (fn(value)) return [];
    return (fn.errors ?? []).map(
      (e) =>
        `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`,
    );
  }

  /** Throws with every problem listed when `value` does not conform. */
  assert(pointer: string, value: unknown, label = pointer): void {
    const problems = this.errors(pointer, value);
    if (problems.length > 0) {
      throw new Error(`${label} does not conform to ${pointer}:\n  ${problems.join("\n  ")}\n${JSON.stringify(value)}`);
    }
  }

  /** Server→client frames: an EventFrame or a ResponseFrame by its `type`. */
  serverFrameErrors(frame: unknown): string[] {
    const type = (frame as { type?: unknown } | null)?.type;
    if (type === "event") return this.errors("EventFrame", frame);
    if (type === "res") return this.errors("ResponseFrame", frame);
    return [`frame type ${JSON.stringify(type)} is neither "event" nor "res"`];
  }
}

export interface ServerFrame {
  type: "event" | "res";
  id?: string;
  ok?: boolean;
  payload?: unknown;
  error?: { code: string; message: string; details?: unknown; retryable?: boolean; retryAfterMs?: number };
  event?: string;
  seq?: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A bare protocol client: sends whatever it is told (valid or not) and records every frame the server sends,
 * each validated against the schema. `violations` lists the non-conforming ones.
 */
export class RawProtocolSocket {
  readonly frames: ServerFrame[] = [];
  readonly violations: string[] = [];
  readonly closed: Promise<CloseInfo>;
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private nextId = 0;

  private constructor(
    readonly ws: WebSocket,
    private readonly validator: ProtocolValidator,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on("error", () => {
      // The close event reports the outcome; an error without a listener would crash the test process.
    });
    ws.on("message", (data) => this.onMessage(data.toString()));
  }

  static open(
    url: string,
    validator: ProtocolValidator,
    opts: { origin?: string; headers?: Record<string, string> } = {},
  ): Promise<RawProtocolSocket> {
    const ws = new WebSocket(url, {
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
    const sock = new RawProtocolSocket(ws, validator);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(sock));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  private onMessage(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      this.violations.push(`not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const problems = this.validator.serverFrameErrors(frame);
    if (problems.length > 0) this.violations.push(`${text.slice(0, 300)}\n  ${problems.join("\n  ")}`);
    this.frames.push(frame);
    const ready = this.waiters.filter((w) => w.match(frame));
    this.waiters = this.waiters.filter((w) => !w.match(frame));
    for (const w of ready) w.resolve(frame);
  }

  /** The first frame (already received or still to come) that matches. */
  next(match: (f: ServerFrame) => boolean, timeoutMs = 5_000, what = "frame"): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 1000)}`));
      }, timeoutMs);
      const done = (f: ServerFrame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** The first event with this name among frames from position `fromIndex` on (default: those still to come). */
  nextEvent(event: string, timeoutMs = 5_000, fromIndex = this.frames.length): Promise<ServerFrame> {
    return this.next(
      (f) => f.type === "event" && f.event === event && this.frames.indexOf(f) >= fromIndex,
      timeoutMs,
      `"${event}" event`,
    );
  }

  challenge(): Promise<ServerFrame> {
    return this.nextEvent("connect.challenge", 5_000, 0);
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends a request frame and waits for its response. */
  async request(method: string, params?: unknown, timeoutMs = 5_000): Promise<ServerFrame> {
    const id = `raw-${++this.nextId}`;
    this.ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    return this.next((f) => f.type === "res" && f.id === id, timeoutMs, `response to ${method}`);
  }

  /** Waits for the challenge, then sends connect with `params` merged over a valid CLI connect. */
  async connect(params: Record<string, unknown> = {}): Promise<ServerFrame> {
    await this.challenge();
    return this.request("connect", { ...baseConnectParams(), ...params });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }
}

export interface BaseConnectParams {
  minProtocol: number;
  maxProtocol: number;
  client: { id: string; version: string; platform: string; mode: string; deviceFamily?: string };
  role: string;
  scopes: string[];
}

/** A connect that conforms to ConnectParams, as a test client would send it. */
export function baseConnectParams(): BaseConnectParams {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "test", version: "0.0.0-e2e", platform: process.platform, mode: "test" },
    role: "operator",
    scopes: ["operator.read", "operator.write", "operator.admin"],
  };
}

/**
 * After each test of a raw-socket file: every socket it opened saw only schema-valid frames and is closed, and
 * the gateway still answers `health` (which, as a successful connect, also clears this address's auth failures).
 */
export async function closeCheckedSockets(
  sockets: RawProtocolSocket[],
  gw: { client(): Promise<{ call<T>(method: string): Promise<T>; close(): void }> },
): Promise<void> {
  for (const s of sockets.splice(0)) {
    expect(s.violations).toEqual([]);
    s.close();
  }
  const fresh = await gw.client();
  try {
    expect(await fresh.call<{ ok: boolean }>("health")).toMatchObject({ ok: true });
  } finally {
    fresh.close();
  }
}
