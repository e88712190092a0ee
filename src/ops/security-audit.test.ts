import { describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../config/schema.js";
import { auditConfig, documentHoldsPlainSecrets } from "./security-audit.js";

const GOOD_TOKEN = "f3a9c1e07b5d42e8a61c9b0d7e2f4a58";
const ids = (input: unknown, env: NodeJS.ProcessEnv = {}) =>
  auditConfig(PincerConfigSchema.parse(input), env).map((f) => `${f.severity}:${f.id}`);

describe("auditConfig", () => {
  const cases: { name: string; config: unknown; env?: NodeJS.ProcessEnv; expected: string[] }[] = [
    { name: "defaults: loopback, no auth, sandbox non-main", config: {}, expected: ["info:security.no-auth"] },
    { name: "a strong token on loopback", config: { gateway: { auth: { token: GOOD_TOKEN } } }, expected: [] },
    {
      name: "bound to the LAN without auth",
      config: { gateway: { bind: "lan" } },
      expected: ["critical:security.bind-no-auth"],
    },
    {
      name: "a short token is weak; critical when exposed",
      config: { gateway: { bind: "lan", auth: { token: "abc123xyz" } } },
      expected: ["critical:security.weak-token"],
    },
    {
      name: "a well-known token on loopback is a warning",
      config: { gateway: { auth: { token: "changeme-changeme-changeme" } } },
      expected: ["warn:security.weak-token"],
    },
    {
      name: "a token from the environment is checked too",
      config: {},
      env: { PINCER_GATEWAY_TOKEN: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
      expected: ["warn:security.weak-token"],
    },
    {
      name: "hooks token equal to the gateway token",
      config: { gateway: { auth: { token: GOOD_TOKEN } }, hooks: { enabled: true, token: GOOD_TOKEN } },
      expected: ["critical:security.hooks-token-reuse"],
    },
    {
      name: "the gateway token reused as a provider key",
      config: { gateway: { auth: { token: GOOD_TOKEN } }, models: { providers: { x: { apiKey: GOOD_TOKEN } } } },
      expected: ["warn:security.token-reuse"],
    },
    {
      name: "open DMs with exec reaching the unsandboxed main session",
      config: {
        gateway: { auth: { token: GOOD_TOKEN } },
        channels: { telegram: { botToken: "1:x", dmPolicy: "open" } },
      },
      expected: ["critical:security.open-dm-exec"],
    },
    {
      name: "open DMs, per-peer sessions in the sandbox: a warning",
      config: {
        gateway: { auth: { token: GOOD_TOKEN } },
        session: { dmScope: "per-peer" },
        channels: { telegram: { botToken: "1:x", dmPolicy: "open" } },
      },
      expected: ["warn:security.open-dm-exec"],
    },
    {
      name: "open DMs with exec denied are fine",
      config: {
        gateway: { auth: { token: GOOD_TOKEN } },
        tools: { deny: ["exec"] },
        channels: { telegram: { botToken: "1:x", dmPolicy: "open" } },
      },
      expected: [],
    },
    {
      name: "open DMs on one account with elevated exec",
      config: {
        gateway: { auth: { token: GOOD_TOKEN } },
        tools: { elevated: { enabled: true } },
        channels: { discord: { token: "t", accounts: { work: { dmPolicy: "open" }, home: {} } } },
      },
      expected: ["critical:security.open-dm-elevated"],
    },
    {
      name: "open groups answered without a mention",
      config: {
        gateway: { auth: { token: GOOD_TOKEN } },
        channels: { telegram: { botToken: "1:x", groupPolicy: "open", groups: { "-100": { requireMention: false } } } },
      },
      expected: ["warn:security.group-no-mention"],
    },
    {
      name: "sandbox off",
      config: { gateway: { auth: { token: GOOD_TOKEN } }, agents: { defaults: { sandbox: { mode: "off" } } } },
      expected: ["warn:security.sandbox-off"],
    },
    {
      name: "the OpenAI API on the LAN",
      config: {
        gateway: {
          bind: "lan",
          auth: { token: GOOD_TOKEN },
          http: { endpoints: { chatCompletions: { enabled: true } } },
        },
      },
      expected: ["warn:security.openai-api-exposed"],
    },
    {
      name: "the OpenAI API on loopback is fine",
      config: { gateway: { auth: { token: GOOD_TOKEN }, http: { endpoints: { responses: { enabled: true } } } } },
      expected: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(ids(c.config, c.env).sort()).toEqual([...c.expected].sort());
    });
  }

  it("every finding tells a person what to do or why", () => {
    const findings = auditConfig(
      PincerConfigSchema.parse({
        gateway: { bind: "lan", auth: { token: "token" } },
        hooks: { enabled: true, token: "token" },
        agents: { defaults: { sandbox: { mode: "off" } } },
      }),
      {},
    );
    expect(findings.length).toBeGreaterThan(2);
    for (const f of findings) expect(f.fix ?? f.detail).toBeTruthy();
  });
});

describe("documentHoldsPlainSecrets", () => {
  it("tells clear-text secrets from SecretRefs and env references", () => {
    expect(documentHoldsPlainSecrets({ gateway: { auth: { token: "abc" } } })).toBe(true);
    expect(documentHoldsPlainSecrets({ models: { providers: { a: { apiKey: ["k1"] } } } })).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is the input under test.
    expect(documentHoldsPlainSecrets({ gateway: { auth: { token: "${PINCER_TOKEN}" } } })).toBe(false);
    expect(documentHoldsPlainSecrets({ gateway: { auth: { token: { source: "vault", id: "gw" } } } })).toBe(false);
    expect(documentHoldsPlainSecrets({ gateway: { port: 1 } })).toBe(false);
  });
});
