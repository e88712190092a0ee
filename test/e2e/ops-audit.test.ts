import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { PINCER_BIN } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: audit entries are read ad hoc by assertions.
type Any = any;

/** The audit log written by a real gateway: logins, config changes, tool runs; then verify and tamper. */
let t: AgentGateway;
const TOKEN = "audit-test-token-0123456789abcdef";

beforeAll(async () => {
  t = await startAgentGateway((fake) => ({ ...fakeConfig(fake), gateway: { auth: { mode: "token", token: TOKEN } } }), {
    token: TOKEN,
  });
});
afterAll(async () => {
  await t?.close();
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [PINCER_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: t.gw.stateDir, PINCER_STATE_DIR: t.gw.stateDir },
    encoding: "utf8",
  });

describe("audit log", () => {
  it("records logins, failed logins, config changes with their author, and tool runs", async () => {
    await expect(GatewayClient.connect({ url: t.gw.url, token: "wrong-token" })).rejects.toThrow();
    const { hash } = await t.client.call<{ hash: string }>("config.get");
    await t.client.call("config.patch", { raw: JSON.stringify({ session: { mainKey: "home" } }), baseHash: hash });
    t.fake.enqueue({ toolCalls: [{ id: "call_a", name: "session_status", args: {} }] }, { text: "done" });
    const final = await t.turn("status please", { sessionKey: "audit-1" });
    expect(final.state).toBe("final");
    expect(await t.gw.stop()).toBe(0);

    const tail = cli("audit", "tail", "-n", "100", "--json");
    expect(tail.status, tail.stderr).toBe(0);
    const entries: Any[] = tail.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const types = entries.map((e) => e.type);
    expect(types[0]).toBe("gateway.start");
    expect(types.at(-1)).toBe("gateway.stop");
    expect(entries.find((e) => e.type === "auth.login")?.data).toMatchObject({
      mode: expect.any(String),
      remote: expect.any(String),
    });
    expect(entries.find((e) => e.type === "auth.failure")?.data.code).toBe("AUTH_TOKEN_MISMATCH");
    expect(entries.find((e) => e.type === "config.write")).toMatchObject({
      actor: expect.stringMatching(/^client:/),
      data: { method: "config.patch", ok: true },
    });
    expect(entries.find((e) => e.type === "config.change")?.data.changed).toContain("session.mainKey");
    expect(entries.find((e) => e.type === "tool.run")?.data).toMatchObject({
      tool: "session_status",
      toolCallId: "call_a",
      isError: false,
      args: "{}",
      sessionKey: "agent:main:audit-1",
    });
    // No secret reaches the log.
    expect(readFileSync(join(t.gw.stateDir, "audit", "audit.jsonl"), "utf8")).not.toContain(TOKEN);

    const text = cli("audit", "tail", "--type", "config");
    expect(text.stdout).toMatch(/config\.write {2}by client:/);

    const ok = cli("audit", "verify");
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Audit log intact: \d+ entries/);
  });

  it("pincer audit verify fails on a log with one edited line, naming the line", () => {
    const file = join(t.gw.stateDir, "audit", "audit.jsonl");
    const lines = readFileSync(file, "utf8").split("\n");
    const index = lines.findIndex((l) => l.includes('"type":"tool.run"'));
    lines[index] = (lines[index] as string).replace('"isError":false', '"isError":true');
    writeFileSync(file, lines.join("\n"));
    const bad = cli("audit", "verify");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(`TAMPERED audit.jsonl:${index + 1}`);
    expect(bad.stdout).toContain("content does not match its hash");
    const json = JSON.parse(cli("audit", "verify", "--json").stdout);
    expect(json.ok).toBe(false);
    expect(json.problems).toEqual([expect.objectContaining({ line: index + 1 })]);
  });
});
