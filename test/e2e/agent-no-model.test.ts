import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayClient } from "../../src/gateway/client.js";
import { chatEventErrors, EventLog, textOf } from "./agent-gateway.js";
import { startTestGateway, type TestGateway } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** A fresh install: no pincer.json, no provider keys in the (minimal) environment. */
let gw: TestGateway;
let client: GatewayClient;
const events = new EventLog();

beforeAll(async () => {
  gw = await startTestGateway();
  client = await gw.client({ onEvent: (event, payload) => events.push(event, payload) });
});
afterAll(async () => {
  client?.close();
  await gw?.cleanup();
});

describe("chat with no model configured", () => {
  it("answers with an error event that says which env var or config key to set, and keeps serving", async () => {
    const ack = await client.call<Any>("chat.send", { sessionKey: "main", message: "hello?", idempotencyKey: "nm-1" });
    expect(ack.status).toBe("accepted");
    const terminal = await events.terminal(ack.runId);
    expect(terminal.state).toBe("error");
    expect(chatEventErrors(terminal)).toBeUndefined();
    expect(terminal.errorMessage).toContain("ANTHROPIC_API_KEY");
    expect(terminal.errorMessage).toContain("agents.defaults.model");
    expect(terminal.errorMessage).toContain("models.providers");

    const health = await client.call<Any>("health", {});
    expect(health).toBeTruthy();
    const history = await client.call<Any>("chat.history", { sessionKey: "main" });
    expect(history.messages[0]).toMatchObject({ role: "user" });
    expect(textOf(history.messages[0])).toBe("hello?");

    // A second try fails the same clear way rather than hanging or crashing.
    const again = await client.call<Any>("chat.send", {
      sessionKey: "main",
      message: "still?",
      idempotencyKey: "nm-2",
    });
    expect((await events.terminal(again.runId)).errorMessage).toContain("ANTHROPIC_API_KEY");
    const status = await client.call<Any>("usage.status", {});
    expect(status.model).toMatchObject({ configured: false });
    expect(status.model.hint).toContain("ANTHROPIC_API_KEY");
  });

  it("models.list still answers", async () => {
    const list = await client.call<Any>("models.list", {});
    expect(Array.isArray(list.models)).toBe(true);
  });
});
