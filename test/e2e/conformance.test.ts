import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { GatewayClient } from "../../src/gateway/client.js";
import { ProtocolValidator, RawProtocolSocket, type ServerFrame } from "./frame-validator.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * Every frame and payload the gateway sends, checked against OpenClaw's published protocol schema, over a raw
 * socket so nothing in our own client can paper over a deviation.
 */

const TOKEN = "conformance-token-1";
const validator = new ProtocolValidator();
let gw: TestGateway;
let sock: RawProtocolSocket;
let hello: ServerFrame;

beforeAll(async () => {
  gw = await startTestGateway({
    config: { gateway: { auth: { token: TOKEN }, tickIntervalMs: 1000 } },
    token: TOKEN,
  });
  sock = await RawProtocolSocket.open(gw.url, validator);
  hello = await sock.connect({ auth: { token: TOKEN } });
});

afterAll(async () => {
  sock?.close();
  await gw?.cleanup();
});

afterEach(() => {
  // Whatever a test did, every frame the server sent on the main socket must have conformed.
  expect(sock.violations).toEqual([]);
});

function okPayload(frame: ServerFrame): unknown {
  expect(frame.error).toBeUndefined();
  expect(frame.ok).toBe(true);
  return frame.payload;
}

describe("the validator itself", () => {
  it("rejects payloads that break the schema, so passing checks mean something", () => {
    expect(validator.errors("TickEvent", { ts: "now" })).not.toEqual([]);
    expect(validator.errors("TickEvent", { ts: 1, extra: true })).not.toEqual([]);
    expect(validator.errors("HelloOk", { type: "hello-ok" })).not.toEqual([]);
    expect(validator.errors("Snapshot/properties/health", { ok: false })).not.toEqual([]);
    expect(validator.serverFrameErrors({ type: "res", id: "1" })).not.toEqual([]);
    expect(validator.serverFrameErrors({ type: "req", id: "1", method: "x" })).not.toEqual([]);
    expect(validator.errors("TickEvent", { ts: 1 })).toEqual([]);
    expect(() => validator.errors("NoSuchDefinition", {})).toThrow(/no definition/);
  });
});

describe("handshake", () => {
  it("sends connect.challenge first, with a nonce and a timestamp", async () => {
    const first = sock.frames[0];
    expect(first?.type).toBe("event");
    expect(first?.event).toBe("connect.challenge");
    const payload = first?.payload as { nonce: unknown; ts: unknown };
    expect(Object.keys(payload).sort()).toEqual(["nonce", "ts"]);
    expect(typeof payload.nonce).toBe("string");
    expect((payload.nonce as string).length).toBeGreaterThanOrEqual(16);
    expect(Number.isInteger(payload.ts)).toBe(true);
  });

  it("answers connect with a hello-ok that conforms to HelloOk, before any event", () => {
    validator.assert("HelloOk", okPayload(hello), "hello-ok");
    const p = hello.payload as { protocol: number; features: { methods: string[]; events: string[] } };
    expect(p.protocol).toBe(4);
    expect(p.features.methods).toEqual(expect.arrayContaining(["health", "status", "logs.tail", "config.get"]));
    expect(p.features.events).toEqual(expect.arrayContaining(["tick", "presence", "shutdown"]));
    // The response to connect is the first frame after the challenge: clients treat earlier events as noise.
    expect(sock.frames.indexOf(hello)).toBe(1);
  });

  it("validates the snapshot and policy the hello carries", () => {
    const p = hello.payload as { snapshot: unknown; policy: { tickIntervalMs: number } };
    validator.assert("Snapshot", p.snapshot, "hello-ok snapshot");
    expect(p.policy.tickIntervalMs).toBe(1000);
  });

  it("sends a connect request from GatewayClient that conforms to ConnectParams", async () => {
    // A stand-in server records what our own client sends, so the client is checked, not the gateway.
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await once(wss, "listening");
    const received = new Promise<unknown>((resolve) => {
      wss.on("connection", (ws) => {
        ws.on("message", (data) => {
          resolve(JSON.parse(data.toString()));
          ws.close(1008, "recorded");
        });
        ws.send(
          JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n".repeat(32), ts: 1 } }),
        );
      });
    });
    const port = (wss.address() as AddressInfo).port;
    const attempt = GatewayClient.connect({ url: `ws://127.0.0.1:${port}`, token: "t", timeoutMs: 5_000 });
    const frame = (await received) as { params: unknown };
    await expect(attempt).rejects.toThrow();
    wss.close();
    validator.assert("RequestFrame", frame, "GatewayClient connect frame");
    validator.assert("ConnectParams", frame.params, "GatewayClient connect params");
  });
});

describe("method payloads", () => {
  it("health conforms to the Snapshot health schema", async () => {
    const payload = okPayload(await sock.request("health", {}));
    validator.assert("Snapshot/properties/health", payload, "health");
    expect((payload as { ok: boolean }).ok).toBe(true);
  });

  it("logs.tail conforms to LogsTailResult, and its params to LogsTailParams", async () => {
    const params = { limit: 20, maxBytes: 50_000 };
    validator.assert("LogsTailParams", params);
    const payload = okPayload(await sock.request("logs.tail", params));
    validator.assert("LogsTailResult", payload, "logs.tail");
    const { lines, cursor } = payload as { lines: string[]; cursor: number };
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(20);
    // Continuing from the cursor returns only what was written since, still conforming.
    const next = okPayload(await sock.request("logs.tail", { cursor }));
    validator.assert("LogsTailResult", next, "logs.tail (cursor)");
  });

  it("config.schema conforms to ConfigSchemaResponse", async () => {
    const payload = okPayload(await sock.request("config.schema", {}));
    validator.assert("ConfigSchemaResponse", payload, "config.schema");
    expect((payload as { schema: { type?: string } }).schema.type).toBe("object");
  });

  it("system-presence returns conforming PresenceEntry values including this client", async () => {
    const list = okPayload(await sock.request("system-presence", {})) as unknown[];
    for (const entry of list) validator.assert("PresenceEntry", entry, "presence entry");
    expect(list.some((e) => (e as { mode?: string }).mode === "test")).toBe(true);
  });

  it("error responses conform to ResponseFrame with an ErrorShape", async () => {
    const res = await sock.request("no.such.method", {});
    expect(res.ok).toBe(false);
    validator.assert("ErrorShape", res.error, "error");
    expect(res.error?.code).toBe("UNKNOWN_METHOD");
  });
});

describe("events", () => {
  it("sends tick events that conform to TickEvent at the configured interval", async () => {
    const tick = await sock.nextEvent("tick", 3_000);
    validator.assert("TickEvent", tick.payload, "tick");
    expect(Number.isInteger(tick.seq)).toBe(true);
  });

  it("numbers events with increasing seq", () => {
    const seqs = sock.frames.filter((f) => f.type === "event" && f.seq !== undefined).map((f) => f.seq as number);
    expect(seqs.length).toBeGreaterThan(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1] as number) + 1);
  });

  it("sends a presence event with conforming entries when another client connects and leaves", async () => {
    const from = sock.frames.length;
    const other = await gw.client({ clientId: "cli", mode: "cli" });
    const joined = await sock.nextEvent("presence", 3_000, from);
    const entries = (joined.payload as { presence: unknown[] }).presence;
    expect(Object.keys(joined.payload as object)).toEqual(["presence"]);
    for (const entry of entries) validator.assert("PresenceEntry", entry, "presence event entry");
    expect(entries.some((e) => (e as { mode?: string }).mode === "cli")).toBe(true);
    const afterJoin = sock.frames.length;
    other.close();
    const left = await sock.nextEvent("presence", 3_000, afterJoin);
    const remaining = (left.payload as { presence: { mode?: string }[] }).presence;
    expect(remaining.some((e) => e.mode === "cli")).toBe(false);
  });

  it("sends a conforming shutdown event on SIGTERM, then closes with 1001", async () => {
    const from = sock.frames.length;
    const exit = gw.stop();
    const shutdown = await sock.nextEvent("shutdown", 5_000, from);
    validator.assert("ShutdownEvent", shutdown.payload, "shutdown");
    expect((shutdown.payload as { reason: string }).reason).toBe("SIGTERM");
    const closed = await sock.closed;
    expect(closed.code).toBe(1001);
    expect(await exit).toBe(0);
  });
});
