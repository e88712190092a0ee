import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../../config/schema.js";
import { convertOpenClawConfig, plainSecrets } from "./openclaw-config.js";
import { convertCronJob } from "./openclaw-import.js";

const ctx = { openclawDir: "/home/u/.openclaw", pincerWorkspace: "/home/u/.pincer/workspace", home: "/home/u" };

describe("convertOpenClawConfig", () => {
  it("turns agents.entries into agents.list and moves workspaces inside ~/.openclaw to Pincer's", () => {
    const out = convertOpenClawConfig(
      {
        agents: {
          defaults: { workspace: "~/.openclaw/workspace", model: { primary: "openai/gpt-5" } },
          entries: {
            main: {
              name: "main",
              workspace: "/home/u/.openclaw/workspace",
              agentDir: "/home/u/.openclaw/agents/main/agent",
            },
            work: { identity: { name: "Worker" }, workspace: "/home/u/.openclaw/workspace-work" },
            code: { workspace: "/home/u/projects/code" },
          },
        },
      },
      ctx,
    );
    expect(out.config.agents).toEqual({
      defaults: { model: { primary: "openai/gpt-5" } },
      list: [
        { id: "main", name: "main" },
        { id: "work", name: "Worker" },
        { id: "code", workspace: "/home/u/projects/code" },
      ],
    });
    expect(out.workspaces).toEqual([
      { agentId: "main", from: "/home/u/.openclaw/workspace", to: "/home/u/.pincer/workspace" },
      { agentId: "work", from: "/home/u/.openclaw/workspace-work", to: "/home/u/.pincer/workspace-work" },
    ]);
    expect(PincerConfigSchema.safeParse(out.config).success).toBe(true);
  });

  it("drops what Pincer does not accept, naming each path, and keeps SecretRefs", () => {
    const out = convertOpenClawConfig(
      {
        meta: { lastTouchedVersion: "2026.9.6" },
        gateway: {
          port: 18789,
          tailscale: { mode: "off" },
          auth: { mode: "token", token: { source: "env", provider: "default", id: "OC_TOKEN" } },
        },
        session: { dmScope: "per-everything" },
        plugins: { entries: {} },
        browserless: true,
      },
      ctx,
    );
    expect(out.config).toEqual({
      gateway: { port: 18789, auth: { mode: "token", token: { source: "env", provider: "default", id: "OC_TOKEN" } } },
      session: {},
    });
    expect(out.dropped.map((d) => d.path).sort()).toEqual([
      "browserless",
      "gateway.tailscale",
      "plugins",
      "session.dmScope",
    ]);
    expect(out.dropped.find((d) => d.path === "session.dmScope")?.reason).toMatch(
      /^not valid for Pincer: session\.dmScope: /,
    );
  });

  it("finds clear-text secrets, not env references or SecretRefs", () => {
    const secrets = plainSecrets({
      gateway: { auth: { token: "abc" } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test.
      models: { providers: { a: { apiKey: ["k1", "${KEY2}"] }, b: { apiKey: { source: "env", id: "B" } } } },
      channels: { telegram: { botToken: "1:x", accounts: { w: { botToken: "2:y" } } } },
    });
    expect(secrets.map((s) => [s.name, s.value])).toEqual([
      ["gateway.auth.token", "abc"],
      ["models.providers.a.apiKey.0", "k1"],
      ["channels.telegram.botToken", "1:x"],
      ["channels.telegram.accounts.w.botToken", "2:y"],
    ]);
  });
});

describe("convertCronJob", () => {
  const base = { id: "j1", name: "brief", enabled: true, sessionTarget: "isolated", wakeMode: "now", createdAtMs: 5 };
  it("keeps what Pincer runs and drops OpenClaw-only fields", () => {
    const r = convertCronJob(
      {
        ...base,
        schedule: { kind: "cron", expr: "0 9 * * *", tz: "Europe/Paris" },
        payload: { kind: "agentTurn", message: "Summarize", toolsAllow: ["*"] },
        delivery: { mode: "announce", channel: "last" },
        scheduledToolPolicy: { version: 1 },
        state: { nextRunAtMs: 9 },
      },
      100,
    );
    expect(r).toEqual({
      job: expect.objectContaining({
        id: "j1",
        payload: { kind: "agentTurn", message: "Summarize" },
        delivery: { mode: "announce", channel: "last" },
        createdAtMs: 5,
        updatedAtMs: 100,
        state: {},
      }),
    });
  });
  it("says why a job cannot come along", () => {
    expect(
      convertCronJob(
        {
          ...base,
          declarationKey: "heartbeat:main",
          schedule: { kind: "every", everyMs: 60_000 },
          payload: { kind: "heartbeat" },
        },
        1,
      ),
    ).toEqual({
      why: "created by OpenClaw itself (heartbeat:main), not by you",
    });
    expect(
      convertCronJob(
        { ...base, schedule: { kind: "every", everyMs: 60_000 }, payload: { kind: "script", file: "x" } },
        1,
      ),
    ).toEqual({
      why: 'its payload kind "script" has no Pincer equivalent',
    });
    expect(
      "why" in
        convertCronJob(
          { ...base, schedule: { kind: "every", everyMs: 5 }, payload: { kind: "systemEvent", text: "hi" } },
          1,
        ),
    ).toBe(true);
  });
});
