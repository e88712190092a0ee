import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeCheckedSockets, ProtocolValidator, RawProtocolSocket } from "./frame-validator.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * Hostile and broken clients: each gets a precise error or close code, and the gateway keeps serving everyone
 * else (checked after every test with a fresh client).
 */

const TOKEN = "bad-input-token";
/** Small enough to exceed cheaply, larger than the 64 KiB pre-auth cap so the two limits can be told apart. */
const MAX_PAYLOAD_BYTES = 131_072;
const PREAUTH_MAX_FRAME_BYTES = 64 * 1024;

const validator = new ProtocolValidator();
let gw: TestGateway;
const sockets: RawProtocolSocket[] = [];

beforeAll(async () => {
  gw = await startTestGateway({
    config: { gateway: { auth: { token: TOKEN }, maxPayloadBytes: MAX_PAYLOAD_BYTES } },
    token: TOKEN,
  });
});

afterAll(async () => {
  await gw?.cleanup();
});

// Also clears this address's failed-auth count (a successful connect), so tests do not add up to a lockout.
afterEach(() => closeCheckedSockets(sockets, gw));

async function open(): Promise<RawProtocolSocket> {
  const s = await RawProtocolSocket.open(gw.url, validator);
  sockets.push(s);
  return s;
}

async function authed(params: Record<string, unknown> = {}): Promise<RawProtocolSocket> {
  const s = await open();
  const hello = await s.connect({ auth: { token: TOKEN }, ...params });
  expect(hello.ok).toBe(true);
  return s;
}

describe("malformed frames", () => {
  it("closes a pre-auth connection that sends invalid JSON with 1008", async () => {
    const s = await open();
    await s.challenge();
    s.sendRaw("{not json");
    const closed = await s.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/not valid JSON/);
    expect(s.frames.filter((f) => f.type === "res")).toEqual([]);
  });

  it("answers invalid JSON after auth with INVALID_REQUEST and keeps the connection open", async () => {
    const s = await authed();
    const before = s.frames.length;
    s.sendRaw("{not json");
    const res = await s.next((f) => f.type === "res" && s.frames.indexOf(f) >= before);
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/not valid JSON/);
    const health = await s.request("health", {});
    expect(health.ok).toBe(true);
  });

  it("answers a JSON frame that is not a request with INVALID_REQUEST naming the field", async () => {
    const s = await authed();
    s.sendRaw(JSON.stringify({ type: "req", id: "no-method" }));
    const res = await s.next((f) => f.type === "res" && f.id === "no-method");
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/method/);
    expect((await s.request("health")).ok).toBe(true);
  });

  it("rejects binary frames after auth without dropping the connection", async () => {
    const s = await authed();
    const before = s.frames.length;
    s.sendRaw(Buffer.from([0x7b, 0x7d]));
    const res = await s.next((f) => f.type === "res" && s.frames.indexOf(f) >= before);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/binary/);
    expect((await s.request("health")).ok).toBe(true);
  });

  it("rejects a first frame that is not connect with INVALID_REQUEST, then closes", async () => {
    const s = await open();
    await s.challenge();
    const res = await s.request("health", {});
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toMatch(/first frame must be a connect request/);
    expect((await s.closed).code).toBe(1008);
  });
});

describe("frame size limits", () => {
  it("closes with 1009 when a pre-auth frame exceeds 64 KiB", async () => {
    const s = await open();
    await s.challenge();
    s.sendRaw(
      JSON.stringify({
        type: "req",
        id: "big",
        method: "connect",
        params: { pad: "x".repeat(PREAUTH_MAX_FRAME_BYTES) },
      }),
    );
    expect((await s.closed).code).toBe(1009);
  });

  it("accepts a frame between 64 KiB and gateway.maxPayloadBytes once authenticated", async () => {
    const s = await authed();
    const res = await s.request("health", { pad: "x".repeat(PREAUTH_MAX_FRAME_BYTES + 1000) });
    expect(res.ok).toBe(true);
  });

  it("closes with 1009 when a frame exceeds gateway.maxPayloadBytes", async () => {
    const s = await authed();
    s.sendRaw(
      JSON.stringify({ type: "req", id: "huge", method: "health", params: { pad: "x".repeat(MAX_PAYLOAD_BYTES) } }),
    );
    expect((await s.closed).code).toBe(1009);
  });

  it("advertises the configured limit in hello-ok policy.maxPayload", async () => {
    const s = await open();
    const hello = await s.connect({ auth: { token: TOKEN } });
    expect((hello.payload as { policy: { maxPayload: number } }).policy.maxPayload).toBe(MAX_PAYLOAD_BYTES);
  });
});

describe("connect errors", () => {
  it("refuses a wrong token with UNAUTHORIZED / AUTH_TOKEN_MISMATCH and closes", async () => {
    const s = await open();
    const res = await s.connect({ auth: { token: "not-the-token" } });
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("UNAUTHORIZED");
    expect(res.error?.details).toMatchObject({ code: "AUTH_TOKEN_MISMATCH" });
    expect(res.error?.message).not.toContain(TOKEN);
    expect((await s.closed).code).toBe(1008);
  });

  it("refuses a protocol range without v4 with details.code PROTOCOL_MISMATCH", async () => {
    const s = await open();
    const res = await s.connect({ minProtocol: 1, maxProtocol: 3, auth: { token: TOKEN } });
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.details).toMatchObject({ code: "PROTOCOL_MISMATCH", expectedProtocol: 4 });
    expect((await s.closed).code).toBe(1008);
  });

  it("refuses connect params of the wrong shape, naming the field", async () => {
    const s = await open();
    const res = await s.connect({ client: { id: "test", version: "1", platform: "linux", mode: "spaceship" } });
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toContain("params.client.mode");
    expect((await s.closed).code).toBe(1008);
  });
});

describe("method errors", () => {
  it("answers an unknown method with UNKNOWN_METHOD", async () => {
    const s = await authed();
    const res = await s.request("no.such.method", {});
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("UNKNOWN_METHOD");
    expect(res.error?.message).toContain("no.such.method");
  });

  it("answers params of the wrong type with INVALID_REQUEST naming the field path", async () => {
    const s = await authed();
    const res = await s.request("logs.tail", { limit: "ten" });
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect(res.error?.message).toContain("params.limit");
    expect(res.error?.details).toMatchObject({ issues: [expect.objectContaining({ path: "params.limit" })] });
  });

  it("answers an admin method called with only operator.read with FORBIDDEN", async () => {
    const s = await authed({ scopes: ["operator.read"] });
    const res = await s.request("config.patch", { raw: "{}" });
    expect(res.error?.code).toBe("FORBIDDEN");
    expect(res.error?.details).toMatchObject({ missingScope: "operator.admin" });
    // The read scope it does hold still works on the same connection.
    expect((await s.request("health")).ok).toBe(true);
  });
});
