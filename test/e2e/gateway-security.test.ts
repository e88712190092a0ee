import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { baseConnectParams, closeCheckedSockets, ProtocolValidator, RawProtocolSocket } from "./frame-validator.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * Authentication on the wire: token checks, browser Origin checks, tokens kept out of URLs, Ed25519 device
 * signatures over the challenge nonce, and the per-address lockout after repeated failures.
 */

const TOKEN = "security-token-7f3a";
const MAX_FAILURES = 5;
const LOCKOUT_MS = 2_000;

const validator = new ProtocolValidator();
let gw: TestGateway;
const sockets: RawProtocolSocket[] = [];

beforeAll(async () => {
  gw = await startTestGateway({
    config: {
      gateway: {
        auth: { token: TOKEN, maxFailures: MAX_FAILURES, lockoutMs: LOCKOUT_MS },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
    },
    token: TOKEN,
  });
});

afterAll(async () => {
  await gw?.cleanup();
});

// Also clears this address's failed-auth count (a successful connect), so tests do not add up to a lockout.
afterEach(() => closeCheckedSockets(sockets, gw));

async function open(opts: { origin?: string; path?: string } = {}): Promise<RawProtocolSocket> {
  const s = await RawProtocolSocket.open(`${gw.url}${opts.path ?? ""}`, validator, {
    ...(opts.origin ? { origin: opts.origin } : {}),
  });
  sockets.push(s);
  return s;
}

describe("browser origins", () => {
  it("refuses a WebSocket from a foreign Origin before any challenge", async () => {
    const s = await open({ origin: "http://evil.example" });
    const closed = await s.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/origin/);
    expect(s.frames).toEqual([]);
  });

  it("accepts a WebSocket from the gateway's own loopback Origin", async () => {
    const s = await open({ origin: `http://127.0.0.1:${gw.port}` });
    const hello = await s.connect({ auth: { token: TOKEN } });
    expect(hello.ok).toBe(true);
  });
});

describe("tokens", () => {
  it("ignores ?token= in the URL: a connect without auth.token is refused", async () => {
    const s = await open({ path: `/?token=${TOKEN}` });
    const res = await s.connect({});
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe("UNAUTHORIZED");
    expect(res.error?.details).toMatchObject({ code: "AUTH_TOKEN_MISSING" });
    expect((await s.closed).code).toBe(1008);
  });

  it("refuses a wrong token with AUTH_TOKEN_MISMATCH", async () => {
    const s = await open();
    const res = await s.connect({ auth: { token: `${TOKEN}x` } });
    expect(res.error?.code).toBe("UNAUTHORIZED");
    expect(res.error?.details).toMatchObject({ code: "AUTH_TOKEN_MISMATCH" });
  });
});

interface DeviceKey {
  id: string;
  publicKey: string;
  privateKey: KeyObject;
}

function newDeviceKey(): DeviceKey {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The raw 32-byte key is the tail of the SPKI DER encoding.
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { id: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64url"), privateKey };
}

/** The v3 string an OpenClaw client signs: fields joined by "|", platform and device family lowercased. */
function v3Payload(f: {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: string[];
  signedAt: number;
  token: string;
  nonce: string;
  platform: string;
  deviceFamily: string;
}): string {
  return [
    "v3",
    f.deviceId,
    f.clientId,
    f.clientMode,
    f.role,
    f.scopes.join(","),
    String(f.signedAt),
    f.token,
    f.nonce,
    f.platform.toLowerCase(),
    f.deviceFamily.toLowerCase(),
  ].join("|");
}

/** Connects with a device block signed over `signedNonce`, claiming `claimedNonce` (normally the same). */
async function connectWithDevice(
  key: DeviceKey,
  opts: { signedNonce?: string; claimedNonce?: string; signedScopes?: string[] } = {},
) {
  const s = await open();
  const challenge = await s.challenge();
  const nonce = (challenge.payload as { nonce: string }).nonce;
  const base = baseConnectParams();
  const client = { ...base.client, deviceFamily: "Linux" };
  const signedAt = Date.now();
  const payload = v3Payload({
    deviceId: key.id,
    clientId: client.id,
    clientMode: client.mode,
    role: base.role,
    scopes: opts.signedScopes ?? base.scopes,
    signedAt,
    token: TOKEN,
    nonce: opts.signedNonce ?? nonce,
    platform: client.platform,
    deviceFamily: client.deviceFamily,
  });
  const signature = sign(null, Buffer.from(payload), key.privateKey).toString("base64url");
  const params = {
    ...base,
    client,
    auth: { token: TOKEN },
    device: { id: key.id, publicKey: key.publicKey, signature, signedAt, nonce: opts.claimedNonce ?? nonce },
  };
  validator.assert("ConnectParams", params, "device connect params");
  return { socket: s, res: await s.request("connect", params) };
}

describe("device identity", () => {
  it("admits a connect whose Ed25519 signature covers the v3 payload", async () => {
    const key = newDeviceKey();
    const { socket, res } = await connectWithDevice(key);
    expect(res.error).toBeUndefined();
    expect(res.ok).toBe(true);
    const presence = (await socket.request("system-presence")).payload as { deviceId?: string }[];
    expect(presence.some((e) => e.deviceId === key.id)).toBe(true);
  });

  it("refuses a signature over different content with DEVICE_AUTH_SIGNATURE_INVALID", async () => {
    const { socket, res } = await connectWithDevice(newDeviceKey(), { signedScopes: ["operator.read"] });
    expect(res.error?.code).toBe("UNAUTHORIZED");
    expect(res.error?.details).toMatchObject({ code: "DEVICE_AUTH_SIGNATURE_INVALID" });
    expect((await socket.closed).code).toBe(1008);
  });

  it("refuses a signature from another key than the one presented", async () => {
    const key = newDeviceKey();
    const other = newDeviceKey();
    const { res } = await connectWithDevice({ ...key, privateKey: other.privateKey });
    expect(res.error?.details).toMatchObject({ code: "DEVICE_AUTH_SIGNATURE_INVALID" });
  });

  it("refuses a signature over another challenge's nonce with DEVICE_AUTH_NONCE_MISMATCH", async () => {
    const stale = "a".repeat(32);
    const { res } = await connectWithDevice(newDeviceKey(), { signedNonce: stale, claimedNonce: stale });
    expect(res.error?.code).toBe("UNAUTHORIZED");
    expect(res.error?.details).toMatchObject({ code: "DEVICE_AUTH_NONCE_MISMATCH" });
  });
});

describe("failed-auth lockout", () => {
  it("locks an address out after gateway.auth.maxFailures wrong tokens, the right token included, until lockoutMs", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const s = await open();
      const res = await s.connect({ auth: { token: `wrong-${i}` } });
      codes.push(res.error?.code ?? "OK");
      if (res.error?.code === "RATE_LIMITED") {
        expect(res.error.retryable).toBe(true);
        expect(res.error.retryAfterMs).toBeGreaterThan(0);
      }
    }
    expect(codes.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill("UNAUTHORIZED"));
    expect(codes.slice(MAX_FAILURES)).toEqual(Array(20 - MAX_FAILURES).fill("RATE_LIMITED"));

    // The lockout is per address, not per secret: while it lasts, the right token from here is refused too.
    const right = await open();
    const locked = await right.connect({ auth: { token: TOKEN } });
    expect(locked.error?.code).toBe("RATE_LIMITED");
    const waitMs = locked.error?.retryAfterMs ?? LOCKOUT_MS;
    await new Promise((r) => setTimeout(r, waitMs + 100));

    const after = await open();
    expect((await after.connect({ auth: { token: TOKEN } })).ok).toBe(true);
  });
});

describe("failed-auth lockout across HTTP and WebSocket", () => {
  const invoke = (token: string) =>
    fetch(`${gw.httpUrl}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ tool: "sessions_list" }),
    });

  const completions = (token: string) =>
    fetch(`${gw.httpUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "pincer", messages: [{ role: "user", content: "hi" }] }),
    });

  it("wrong tokens on /tools/invoke and /v1/chat/completions add up to the WebSocket's lockout", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES; i++) {
      statuses.push((await (i % 2 === 0 ? invoke(`wrong-${i}`) : completions(`wrong-${i}`))).status);
    }
    expect(statuses).toEqual(Array(MAX_FAILURES).fill(401));
    const locked = await invoke(TOKEN);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect((await completions(TOKEN)).status).toBe(429);
    // The WebSocket from this address is locked out too: one table, not one per entry point.
    const s = await open();
    expect((await s.connect({ auth: { token: TOKEN } })).error?.code).toBe("RATE_LIMITED");
    await new Promise((r) => setTimeout(r, LOCKOUT_MS + 100));
    expect((await invoke(TOKEN)).status).not.toBe(401);
  });
});
