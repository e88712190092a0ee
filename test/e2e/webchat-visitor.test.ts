import { randomUUID } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocketType from "ws";
import type { GatewayClient } from "../../src/gateway/client.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm/index.js";
import { fakeConfig, textOf } from "./agent-gateway.js";
import { startTestGateway, type TestGateway } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

const WebSocket = createRequire(import.meta.url)("ws") as typeof WebSocketType;
const TOKEN = "operator-token-webchat-e2e";

/**
 * WebChat visitors against a real gateway: identities from POST /webchat/visitor, visitor connects, each
 * dmPolicy with a stranger, pairing approval, forged tokens, the narrow method allow-list, event isolation,
 * the rate limit and the disabled default.
 */

interface Identity {
  visitorId: string;
  token: string;
}

interface CallError {
  code: string;
  message: string;
  details?: Any;
  retryAfterMs?: number;
}

/** A raw protocol client speaking as a visitor (the repo's GatewayClient is an operator client). */
class VisitorClient {
  readonly events: { event: string; payload: Any }[] = [];
  hello: Any;
  private next = 0;
  private readonly pending = new Map<string, (frame: Any) => void>();
  private readonly watchers = new Set<() => void>();

  private constructor(private readonly ws: WebSocketType) {}

  static open(gw: TestGateway, auth: Record<string, unknown>, mode = "webchat"): Promise<VisitorClient> {
    const ws = new WebSocket(gw.url);
    const client = new VisitorClient(ws);
    return new Promise((resolve, reject) => {
      ws.on("error", reject);
      ws.on("close", (code, reason) => reject(Object.assign(new Error(`closed ${code} ${reason}`), { code })));
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === "event" && frame.event === "connect.challenge") {
          client
            .request("connect", {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: "webchat-e2e", version: "1.0.0", platform: "test", mode },
              auth,
            })
            .then((res) => {
              if (res.ok) {
                client.hello = res.payload;
                resolve(client);
              } else reject(Object.assign(new Error(res.error.message), res.error));
            }, reject);
          return;
        }
        if (frame.type === "event") {
          client.events.push({ event: frame.event, payload: frame.payload });
          for (const w of client.watchers) w();
          return;
        }
        client.pending.get(frame.id)?.(frame);
        client.pending.delete(frame.id);
      });
    });
  }

  private request(method: string, params: unknown): Promise<Any> {
    const id = `v-${++this.next}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  async call(method: string, params: unknown = {}): Promise<Any> {
    const res = await this.request(method, params);
    if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
    return res.payload;
  }

  async callError(method: string, params: unknown = {}): Promise<CallError> {
    const res = await this.request(method, params);
    expect(res.ok, `${method} should fail`).toBe(false);
    return res.error;
  }

  send(message: string): Promise<Any> {
    return this.call("chat.send", { message, idempotencyKey: randomUUID() });
  }

  waitFor(match: (e: { event: string; payload: Any }) => boolean, what: string, timeoutMs = 10_000): Promise<Any> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(match);
        if (!hit) return false;
        this.watchers.delete(check);
        clearTimeout(timer);
        resolve(hit.payload);
        return true;
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.watchers.add(check);
    });
  }

  final(runId: string): Promise<Any> {
    return this.waitFor(
      (e) => e.event === "chat" && e.payload.runId === runId && e.payload.state !== "delta",
      `terminal chat event of ${runId}`,
    );
  }

  close(): void {
    this.ws.removeAllListeners("close");
    this.ws.close();
  }
}

/** POST /webchat/visitor from a given loopback address (all of 127/8 reaches a gateway on 127.0.0.1). */
function postVisitor(gw: TestGateway, localAddress = "127.0.0.1"): Promise<{ status: number; body: Any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: gw.port, path: "/webchat/visitor", method: "POST", localAddress },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

let nextAddress = 10;

/** A fresh identity, each from its own address so the per-address issue limit is not what a test meets. */
async function newVisitor(gw: TestGateway): Promise<Identity> {
  const res = await postVisitor(gw, `127.0.0.${nextAddress++}`);
  expect(res.status).toBe(200);
  return res.body as Identity;
}

async function connectVisitor(gw: TestGateway, who?: Identity): Promise<VisitorClient> {
  const id = who ?? (await newVisitor(gw));
  return VisitorClient.open(gw, { visitorId: id.visitorId, visitorToken: id.token });
}

async function refusedConnect(gw: TestGateway, auth: Record<string, unknown>, mode?: string): Promise<CallError> {
  const err = await VisitorClient.open(gw, auth, mode).then(
    () => undefined,
    (e: CallError) => e,
  );
  expect(err, "connect should be refused").toBeDefined();
  return err as CallError;
}

async function patchWebchat(client: GatewayClient, webchat: Record<string, unknown>): Promise<void> {
  const { hash } = await client.call<{ hash: string }>("config.get");
  await client.call("config.patch", { raw: JSON.stringify({ channels: { webchat } }), baseHash: hash });
}

let fake: FakeLlm;
let gw: TestGateway;
let operator: GatewayClient;

beforeAll(async () => {
  fake = await startFakeLlm();
  gw = await startTestGateway({
    token: TOKEN,
    config: {
      ...fakeConfig(fake),
      gateway: { auth: { token: TOKEN, maxFailures: 50 } },
      channels: { webchat: { dmPolicy: "open", greeting: "Hi! Ask me anything.", rateLimit: 30 } },
    },
  });
  operator = await gw.client();
});
afterAll(async () => {
  operator?.close();
  await gw?.cleanup();
  await fake?.close();
});

describe("visitor identities", () => {
  it("POST /webchat/visitor issues an id and a token; GET is refused", async () => {
    const id = await newVisitor(gw);
    expect(id.visitorId).toMatch(/^[0-9a-f]{32}$/);
    expect(id.token).toMatch(/^wv1\./);
    expect(id.token).not.toContain(TOKEN);
    expect((await fetch(`${gw.httpUrl}/webchat/visitor`)).status).toBe(405);
  });

  it("limits new identities per address, retryable", async () => {
    for (let i = 0; i < 10; i++) expect((await postVisitor(gw, "127.0.0.2")).status).toBe(200);
    const refused = await postVisitor(gw, "127.0.0.2");
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "RATE_LIMITED", retryable: true });
    expect((await postVisitor(gw, "127.0.0.3")).status).toBe(200);
  });

  it("a visitor connects without the operator token and gets its own session and the greeting", async () => {
    const id = await newVisitor(gw);
    const v = await connectVisitor(gw, id);
    expect(v.hello.auth).toEqual({ role: "webchat-visitor", scopes: [] });
    expect(v.hello.features.methods).toEqual(["chat.send", "chat.history", "chat.abort"]);
    expect(v.hello.snapshot.sessionDefaults.mainSessionKey).toBe(`agent:main:webchat:direct:${id.visitorId}`);
    expect(v.hello.snapshot.webchat).toMatchObject({ visitorId: id.visitorId, greeting: "Hi! Ask me anything." });
    expect(v.hello.snapshot.presence).toEqual([]);
    expect(JSON.stringify(v.hello)).not.toContain(gw.stateDir);
    v.close();
  });

  it("refuses forged, tampered and foreign tokens like a bad token", async () => {
    const a = await newVisitor(gw);
    const b = await newVisitor(gw);
    const forged = [
      { visitorId: a.visitorId, visitorToken: b.token },
      { visitorId: a.visitorId, visitorToken: `${a.token.slice(0, -2)}xx` },
      { visitorId: "f".repeat(32), visitorToken: a.token },
      { visitorId: a.visitorId, visitorToken: TOKEN },
      { visitorId: 42, visitorToken: a.token },
    ];
    for (const auth of forged) {
      const err = await refusedConnect(gw, auth);
      expect(err.code).toBe("UNAUTHORIZED");
      expect(err.details?.code).toBe("AUTH_VISITOR_TOKEN_INVALID");
    }
  });

  it("accepts visitor credentials only from client mode webchat", async () => {
    const a = await newVisitor(gw);
    const err = await refusedConnect(gw, { visitorId: a.visitorId, visitorToken: a.token }, "cli");
    expect(err.code).toBe("INVALID_REQUEST");
    expect(err.message).toContain("webchat");
  });
});

describe("a visitor's reach", () => {
  it("open: a stranger's message reaches the agent and the reply streams back", async () => {
    const v = await connectVisitor(gw);
    const ack = await v.send("hello from the web");
    const final = await v.final(ack.runId);
    expect(final.state).toBe("final");
    expect(textOf(final.message)).toBe("echo: hello from the web");
    expect(final.usage).toBeUndefined();
    expect(v.events.some((e) => e.event === "chat" && e.payload.state === "delta")).toBe(true);
    expect(fake.requests.at(-1)?.lastUserText).toBe("hello from the web");

    const history = await v.call("chat.history");
    expect(history.messages.map((m: Any) => [m.role, textOf(m)])).toEqual([
      ["user", "hello from the web"],
      ["assistant", "echo: hello from the web"],
    ]);
    // The operator sees it as a webchat DM.
    const sessions = await operator.call<Any>("sessions.list", {});
    const row = (sessions.sessions as Any[]).find((s) => s.key === v.hello.snapshot.sessionDefaults.mainSessionKey);
    expect(row, JSON.stringify(sessions.sessions.map((s: Any) => s.key))).toBeDefined();
    v.close();
  });

  it("may call nothing but chat.send / history / abort, and only on its own session", async () => {
    const v = await connectVisitor(gw);
    for (const method of ["config.get", "sessions.list", "channels.status", "agent", "health", "chat.inject"]) {
      const err = await v.callError(method, {});
      expect(err.code, method).toBe("FORBIDDEN");
      expect(err.message).toContain(method);
    }
    for (const sessionKey of [
      "main",
      "agent:main:main",
      "agent:main:webchat:direct:0123456789abcdef0123456789abcdef",
    ]) {
      expect((await v.callError("chat.history", { sessionKey })).code).toBe("FORBIDDEN");
      expect((await v.callError("chat.send", { sessionKey, message: "x", idempotencyKey: randomUUID() })).code).toBe(
        "FORBIDDEN",
      );
      expect((await v.callError("chat.abort", { sessionKey })).code).toBe("FORBIDDEN");
    }
    for (const message of ["/model fake/other", "/status", "/compact"]) {
      const err = await v.callError("chat.send", { message, idempotencyKey: randomUUID() });
      expect(err.code, message).toBe("FORBIDDEN");
      expect(err.message).toContain("not available in WebChat");
    }
    // Naming its own session is fine.
    const own = v.hello.snapshot.sessionDefaults.mainSessionKey;
    expect((await v.call("chat.history", { sessionKey: own })).sessionKey).toBe(own);
    v.close();
  });

  it("closes a visitor connection that sends an oversized frame", async () => {
    const v = await connectVisitor(gw);
    const closed = new Promise<number>((resolve) => (v as Any).ws.once("close", (code: number) => resolve(code)));
    (v as Any).ws.send(
      JSON.stringify({ type: "req", id: "big", method: "chat.send", params: { message: "x".repeat(600_000) } }),
    );
    expect(await closed).toBe(1009);
  });

  it("does not receive another visitor's (or the operator's) events", async () => {
    const a = await connectVisitor(gw);
    const b = await connectVisitor(gw);
    const ack = await a.send("only for a");
    await a.final(ack.runId);
    const opAck = await operator.call<Any>("chat.send", {
      sessionKey: "main",
      message: "operator talk",
      idempotencyKey: randomUUID(),
    });
    await a.send("a again").then((x) => a.final(x.runId));
    const bEvents = b.events.filter((e) => e.event === "chat" || e.event === "agent");
    expect(bEvents).toEqual([]);
    expect(a.events.some((e) => e.payload?.runId === opAck.runId)).toBe(false);
    expect(a.events.map((e) => e.event).every((ev) => ["chat", "agent", "tick"].includes(ev))).toBe(true);
    expect(a.events.some((e) => e.event === "agent" && e.payload.stream !== "lifecycle")).toBe(false);
    a.close();
    b.close();
  });

  it("refuses an over-long message with the limit", async () => {
    await patchWebchat(operator, { maxMessageChars: 50 });
    const v = await connectVisitor(gw);
    const err = await v.callError("chat.send", { message: "x".repeat(51), idempotencyKey: randomUUID() });
    expect(err.code).toBe("PAYLOAD_TOO_LARGE");
    expect(err.message).toContain("50");
    await patchWebchat(operator, { maxMessageChars: null });
    v.close();
  });

  it("refuses messages over the rate limit with a clear, retryable error", async () => {
    await patchWebchat(operator, { rateLimit: 2 });
    const v = await connectVisitor(gw);
    await v.send("one");
    await v.send("two");
    const err = await v.callError("chat.send", { message: "three", idempotencyKey: randomUUID() });
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.message).toContain("2 a minute");
    expect(err.retryAfterMs).toBeGreaterThan(0);
    // Another visitor has its own budget.
    const other = await connectVisitor(gw);
    await other.send("mine");
    await patchWebchat(operator, { rateLimit: 30 });
    v.close();
    other.close();
  });

  it("channels.status shows the webchat account", async () => {
    const v = await connectVisitor(gw);
    const status = await operator.call<Any>("channels.status", {});
    const account = status.channelAccounts?.webchat?.[0];
    expect(account, JSON.stringify(status)).toMatchObject({ accountId: "default", configured: true, dmPolicy: "open" });
    expect(account.connectedVisitors).toBeGreaterThanOrEqual(1);
    expect(typeof account.lastInboundAt).toBe("number");
    v.close();
  });
});

describe("dmPolicy", () => {
  it("allowlist: only listed visitors reach the agent", async () => {
    const listed = await newVisitor(gw);
    await patchWebchat(operator, { dmPolicy: "allowlist", allowFrom: [listed.visitorId] });
    const stranger = await connectVisitor(gw);
    const err = await stranger.callError("chat.send", { message: "let me in", idempotencyKey: randomUUID() });
    expect(err.code).toBe("FORBIDDEN");
    expect(err.details?.code).toBe("WEBCHAT_NOT_ALLOWED");
    const v = await connectVisitor(gw, listed);
    const ack = await v.send("I am listed");
    expect(textOf((await v.final(ack.runId)).message)).toBe("echo: I am listed");
    stranger.close();
    v.close();
  });

  it("pairing: a stranger gets a code, nothing reaches the agent until the owner approves", async () => {
    await patchWebchat(operator, { dmPolicy: "pairing", allowFrom: [] });
    const v = await connectVisitor(gw);
    const before = fake.requests.length;
    const err = await v.callError("chat.send", { message: "may I?", idempotencyKey: randomUUID() });
    expect(err.code).toBe("NOT_PAIRED");
    const code = err.details?.pairingCode as string;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(err.message).toContain(`pincer pairing approve webchat ${code}`);
    expect(fake.requests.length).toBe(before);
    expect(await v.call("chat.history")).toMatchObject({ messages: [] });

    const listed = await operator.call<Any>("channels.pairing.list", { channel: "webchat" });
    expect(listed.requests.map((r: Any) => r.senderId)).toContain(v.hello.snapshot.webchat.visitorId);
    await operator.call("channels.pairing.approve", { channel: "webchat", code });

    const ack = await v.send("thanks for approving");
    expect(textOf((await v.final(ack.runId)).message)).toBe("echo: thanks for approving");
    v.close();
  });

  it("disabled: the endpoint and visitor connects are refused with the key to change", async () => {
    const id = await newVisitor(gw);
    const v = await connectVisitor(gw, id);
    await patchWebchat(operator, { dmPolicy: "disabled" });
    const res = await fetch(`${gw.httpUrl}/webchat/visitor`, { method: "POST" });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Any;
    expect(body.error.details.code).toBe("WEBCHAT_DISABLED");
    expect(body.error.message).toContain("channels.webchat.dmPolicy");
    const err = await refusedConnect(gw, { visitorId: id.visitorId, visitorToken: id.token });
    expect(err.code).toBe("FORBIDDEN");
    expect(err.details?.code).toBe("WEBCHAT_DISABLED");
    // An open connection cannot send either.
    const sendErr = await v.callError("chat.send", { message: "still here?", idempotencyKey: randomUUID() });
    expect(sendErr.details?.code).toBe("WEBCHAT_DISABLED");
    v.close();
  });
});

describe("the default", () => {
  it("a gateway without channels.webchat exposes no visitors", async () => {
    const plain = await startTestGateway({ token: TOKEN, config: { gateway: { auth: { token: TOKEN } } } });
    try {
      const res = await fetch(`${plain.httpUrl}/webchat/visitor`, { method: "POST" });
      expect(res.status).toBe(403);
      expect(((await res.json()) as Any).error.details.code).toBe("WEBCHAT_DISABLED");
    } finally {
      await plain.cleanup();
    }
  });
});

describe("under gateway.controlUi.basePath", () => {
  it("issues identities at <basePath>/webchat/visitor, where the widget's page asks", async () => {
    const prefixed = await startTestGateway({
      token: TOKEN,
      config: {
        gateway: { auth: { token: TOKEN }, controlUi: { basePath: "/pincer" } },
        channels: { webchat: { dmPolicy: "open" } },
      },
    });
    try {
      const res = await fetch(`${prefixed.httpUrl}/pincer/webchat/visitor`, { method: "POST" });
      expect(res.status).toBe(200);
      const id = (await res.json()) as Identity;
      const v = await connectVisitor(prefixed, id);
      expect(v.hello.snapshot.webchat.visitorId).toBe(id.visitorId);
      v.close();
    } finally {
      await prefixed.cleanup();
    }
  });
});

describe("lockout", () => {
  it("forged visitor tokens count toward the failed-auth lockout", async () => {
    const strict = await startTestGateway({
      token: TOKEN,
      config: { gateway: { auth: { token: TOKEN, maxFailures: 3 } }, channels: { webchat: { dmPolicy: "open" } } },
    });
    try {
      const a = await newVisitor(strict);
      for (let i = 0; i < 3; i++) {
        expect((await refusedConnect(strict, { visitorId: a.visitorId, visitorToken: "wv1.forged" })).code).toBe(
          "UNAUTHORIZED",
        );
      }
      // Even the right visitor token (or the operator token) is now refused from this address.
      expect((await refusedConnect(strict, { visitorId: a.visitorId, visitorToken: a.token })).code).toBe(
        "RATE_LIMITED",
      );
      await expect(strict.client()).rejects.toMatchObject({ code: "RATE_LIMITED" });
    } finally {
      await strict.cleanup();
    }
  });
});
