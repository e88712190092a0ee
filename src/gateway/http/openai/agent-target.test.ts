import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import type { AgentInfo } from "../../../agent/agents.js";
import { agentForModel, modelIds, resolveRunTarget } from "./agent-target.js";
import { OpenAiHttpError } from "./errors.js";

const agents: AgentInfo[] = [
  { id: "main", isDefault: true, workspaceDir: "/w/main" },
  { id: "research", isDefault: false, workspaceDir: "/w/research" },
];

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;

describe("agentForModel", () => {
  it.each([
    ["pincer", "main"],
    ["pincer/default", "main"],
    ["pincer/research", "research"],
    ["Pincer/Research", "research"],
    ["pincer:research", "research"],
    ["openclaw", "main"],
    ["openclaw/default", "main"],
    ["openclaw/research", "research"],
    ["agent:research", "research"],
    ["gpt-4o", undefined],
    ["pincer/nobody", undefined],
    ["pincer/", undefined],
    ["", undefined],
  ])("%s → %s", (model, id) => {
    expect(agentForModel(model, agents)?.id).toBe(id);
  });

  it("lists the default alias, then one model per agent", () => {
    expect(modelIds(agents)).toEqual(["pincer/default", "pincer/main", "pincer/research"]);
  });
});

describe("resolveRunTarget", () => {
  it("gives a request without user its own session, and a user a stable hashed one", () => {
    const a = resolveRunTarget(request(), { model: "pincer" }, agents, { surface: "openai" });
    const b = resolveRunTarget(request(), { model: "pincer" }, agents, { surface: "openai" });
    expect(a.stateful).toBe(false);
    expect(a.sessionKey).not.toBe(b.sessionKey);
    const u1 = resolveRunTarget(request(), { model: "pincer", user: "alice:1" }, agents, { surface: "openai" });
    const u2 = resolveRunTarget(request(), { model: "pincer", user: "alice:1" }, agents, { surface: "openai" });
    expect(u1.stateful).toBe(true);
    expect(u1.sessionKey).toBe(u2.sessionKey);
    expect(u1.sessionKey).toMatch(/^openai:user:[0-9a-f]{24}$/);
  });

  it("takes agent, model, session and channel from the x-pincer- (or x-openclaw-) headers", () => {
    const target = resolveRunTarget(
      request({
        "x-pincer-agent-id": "research",
        "x-openclaw-model": "fake/other",
        "x-pincer-session-key": "my-app:thread-7",
        "x-pincer-message-channel": "slack",
      }),
      { model: "pincer" },
      agents,
      { surface: "openai" },
    );
    expect(target).toMatchObject({
      agent: { id: "research" },
      modelOverride: "fake/other",
      sessionKey: "my-app:thread-7",
      stateful: true,
      channel: "slack",
    });
  });

  it.each([
    [{ "x-pincer-session-key": "cron:daily" }, 400],
    [{ "x-pincer-session-key": "agent:main:hook:gmail" }, 400],
    [{ "x-pincer-agent-id": "ghost" }, 400],
    [{ "x-pincer-model": "no-slash" }, 400],
  ])("refuses %j with %i", (headers, status) => {
    let caught: unknown;
    try {
      resolveRunTarget(request(headers), { model: "pincer" }, agents, { surface: "openai" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpenAiHttpError);
    expect((caught as OpenAiHttpError).status).toBe(status);
  });

  it("answers an unknown model with 404 model_not_found", () => {
    expect(() => resolveRunTarget(request(), { model: "gpt-4o" }, agents, { surface: "openai" })).toThrow(
      expect.objectContaining({ status: 404, code: "model_not_found" }),
    );
  });
});
