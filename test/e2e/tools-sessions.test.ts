import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { offeredTools, runToolTurn } from "./tools-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Session tools (list, history, send) and the policy knobs that need a configured gateway: tools.deny,
 * tools.byProvider, per-agent tools, and elevated exec for a sender in tools.elevated.allowFrom.
 */

let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway((fake) => {
    const base = fakeConfig(fake, { agentDefaults: { maxSteps: 3 } }) as Any;
    return {
      ...base,
      agents: {
        ...base.agents,
        list: [
          { id: "main", default: true },
          { id: "helper", tools: { profile: "minimal" } },
        ],
      },
      tools: {
        deny: ["web_search"],
        byProvider: { fake: { deny: ["browser"] } },
        elevated: { enabled: true, allowFrom: { telegram: ["42"] } },
      },
    };
  });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.fake.reset());

describe("session tools", () => {
  it("sessions_send runs a turn in another session and returns its reply; list and history see it", async () => {
    t.fake.enqueue(
      {
        toolCalls: [
          { id: "s1", name: "sessions_send", args: { sessionKey: "research", message: "ping", timeoutSeconds: 30 } },
        ],
      },
      { text: "pong from research" },
      { text: "done" },
    );
    const ack = await t.send("ask research", { sessionKey: "main" });
    const final = await t.events.terminal(ack.runId, 30_000);
    expect(final.state).toBe("final");
    const result = t.events.agent(ack.runId).find((e: Any) => e.stream === "tool" && e.data.phase === "result");
    expect(result.data.result).toBe("Reply from agent:main:research:\npong from research");

    const list = await runToolTurn(t, "main", "sessions_list", {});
    expect(list.result).toContain("agent:main:research");
    const history = await runToolTurn(t, "main", "sessions_history", { sessionKey: "research" });
    expect(history.result).toMatch(/\[user\] ping\n\[assistant\] pong from research/);
  });

  it("refuses to send to itself or to another agent's sessions", async () => {
    const self = await runToolTurn(t, "main", "sessions_send", { sessionKey: "main", message: "loop" });
    expect(self.result).toMatch(/cannot target the session it runs in/);
    const other = await runToolTurn(t, "main", "sessions_history", { sessionKey: "agent:helper:main" });
    expect(other.isError).toBe(true);
    expect(other.result).toMatch(/belongs to agent helper/);
  });
});

describe("policy from the config", () => {
  it("tools.deny and tools.byProvider remove tools from what the model is offered", async () => {
    await runToolTurn(t, "main", "session_status", {});
    const offered = offeredTools(t);
    expect(offered).toEqual(expect.arrayContaining(["exec", "read", "web_fetch", "sessions_send"]));
    expect(offered).not.toContain("web_search");
    expect(offered).not.toContain("browser");
    const effective = await t.client.call<Any>("tools.effective", { sessionKey: "main" });
    const ids = effective.groups.flatMap((g: Any) => g.tools.map((x: Any) => x.id));
    expect(ids).not.toContain("browser");
  });

  it("a per-agent profile narrows that agent only", async () => {
    const r = await runToolTurn(t, "agent:helper:main", "exec", { command: "id" });
    expect(r.isError).toBe(true);
    expect(r.result).toMatch(/Unknown tool "exec"/);
    expect(offeredTools(t)).toEqual(["session_status"]);
  });

  it("elevated exec runs on the host for a sender in allowFrom, and stays refused for others", async () => {
    const dm = "agent:main:telegram:direct:42";
    const sandboxed = await runToolTurn(t, dm, "exec", { command: "echo where" });
    expect(sandboxed.result).toContain("(sandbox ");
    const elevated = await runToolTurn(t, dm, "exec", { command: "echo where", elevated: true });
    expect(elevated.isError).toBe(false);
    expect(elevated.result).toContain("(host");
    const stranger = await runToolTurn(t, "agent:main:telegram:direct:99", "exec", { command: "id", elevated: true });
    expect(stranger.result).toMatch(/elevated exec is not allowed/);
  });
});
