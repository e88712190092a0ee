// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the config syntax under test
import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { PincerError } from "../errors.js";
import { locateStringValues } from "./json5-locate.js";
import {
  collectSecretValues,
  isSensitiveKey,
  REDACTED_SENTINEL,
  redactRaw,
  redactValue,
  restoreRedactedDocument,
  restoreRedactedRaw,
} from "./redact.js";

const S = REDACTED_SENTINEL;

describe("isSensitiveKey", () => {
  it.each([
    "token",
    "botToken",
    "appToken",
    "password",
    "apiKey",
    "api_key",
    "apiKeys",
    "secret",
    "signingSecret",
    "privateKey",
    "Authorization",
    "passphrase",
  ])("%s is sensitive", (key) => expect(isSensitiveKey(key)).toBe(true));
  it.each([
    "maxTokens",
    "contextTokens",
    "bootstrapMaxTokens",
    "tokenizer",
    "port",
    "mode",
    "id",
    "source",
    "redactSensitive",
  ])("%s is not", (key) => expect(isSensitiveKey(key)).toBe(false));
});

describe("redactValue", () => {
  it("redacts strings under sensitive keys, string arrays under them, and given secret paths", () => {
    const doc = {
      gateway: { auth: { token: "t0k", maxFailures: 3 } },
      models: {
        providers: { p: { apiKey: ["k1", "k2"], baseUrl: "http://x", headers: { Authorization: "Bearer z" } } },
      },
      channels: { custom: { webhookUrl: "https://hook/with-secret-path" } },
      agents: { defaults: { maxTokens: 5 } },
      env: { OPENAI_API_KEY: "${OPENAI_API_KEY}" },
    };
    expect(redactValue(doc, ["channels.custom.webhookUrl"])).toEqual({
      gateway: { auth: { token: S, maxFailures: 3 } },
      models: { providers: { p: { apiKey: [S, S], baseUrl: "http://x", headers: { Authorization: S } } } },
      channels: { custom: { webhookUrl: S } },
      agents: { defaults: { maxTokens: 5 } },
      env: { OPENAI_API_KEY: "${OPENAI_API_KEY}" },
    });
    expect(doc.gateway.auth.token).toBe("t0k");
  });

  it("collects the secret values a log scrubber must hide", () => {
    const values = collectSecretValues({ a: { token: "t" }, b: { url: "u" }, c: { port: 1 } }, ["b.url"]);
    expect(values.sort()).toEqual(["t", "u"]);
  });
});

describe("locateStringValues", () => {
  it("finds string values with their paths in JSON5, skipping keys and comments", () => {
    const text = `// "not": "this"
{ a: 'one', "b.c": { d: ["two", 3, "th\\"ree"] }, /* e: "x" */ f: true, g: -Infinity, 'h': "four", }`;
    const spans = locateStringValues(text);
    expect(spans.map((s) => [s.path, s.value])).toEqual([
      [["a"], "one"],
      [["b.c", "d", 0], "two"],
      [["b.c", "d", 2], 'th"ree'],
      [["h"], "four"],
    ]);
    for (const s of spans) expect(JSON5.parse(text.slice(s.start, s.end))).toBe(s.value);
  });
});

describe("redactRaw / restoreRedactedRaw round trip", () => {
  const raw = `{
  // my gateway
  gateway: { auth: { mode: "token", token: "s3cret-token" } },
  models: { providers: { p: { apiKey: ["k-one", 'k-two'], baseUrl: "http://x" } } },
  channels: { telegram: { botToken: "\${TG_TOKEN}", note: "s3cret-token" } },
}
`;
  const current = JSON5.parse(raw);

  it("redacts secret literals in place, keeping comments, ${VAR} references and other text", () => {
    const red = redactRaw(raw, ["s3cret-token"]);
    expect(red).not.toContain("s3cret-token");
    expect(red).not.toContain("k-one");
    expect(red).toContain("// my gateway");
    expect(red).toContain('botToken: "${TG_TOKEN}"');
    expect(red).toContain('baseUrl: "http://x"');
    expect(JSON5.parse(red)).toEqual({
      gateway: { auth: { mode: "token", token: S } },
      models: { providers: { p: { apiKey: [S, S], baseUrl: "http://x" } } },
      channels: { telegram: { botToken: "${TG_TOKEN}", note: S } },
    });
  });

  it("restores every sentinel from the current document, editing only those literals", () => {
    const red = redactRaw(raw, ["s3cret-token"]);
    const edited = red.replace('baseUrl: "http://x"', 'baseUrl: "http://y"');
    const restored = restoreRedactedRaw(edited, current, "/cfg/pincer.json");
    expect(restored).toContain("// my gateway");
    expect(JSON5.parse(restored)).toEqual({
      ...current,
      models: { providers: { p: { apiKey: ["k-one", "k-two"], baseUrl: "http://y" } } },
    });
  });

  it("refuses a sentinel at a path the current document has no value for", () => {
    let err: unknown;
    try {
      restoreRedactedRaw(`{ gateway: { auth: { password: "${S}" } } }`, current, "/cfg/pincer.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PincerError);
    expect((err as PincerError).code).toBe("CONFIG_INVALID");
    expect((err as PincerError).message).toContain("gateway.auth.password: holds __PINCER_REDACTED__");
  });

  it("leaves text without sentinels untouched", () => {
    expect(restoreRedactedRaw("{ a: 1 } // hi", {}, "f")).toBe("{ a: 1 } // hi");
  });
});

describe("restoreRedactedDocument", () => {
  const current = {
    gateway: { auth: { token: { source: "env", id: "GW_TOKEN" } } },
    channels: { $include: "ch.json5" },
  };
  const resolved = {
    gateway: { auth: { token: { source: "env", id: "GW_TOKEN" } } },
    channels: { slack: { botToken: "xoxb" } },
  };

  it("puts back what the file holds (a SecretRef stays a SecretRef)", () => {
    const patch = { gateway: { auth: { token: S, mode: "token" } } };
    expect(restoreRedactedDocument(patch, current, resolved, "f")).toEqual({
      gateway: { auth: { token: { source: "env", id: "GW_TOKEN" }, mode: "token" } },
    });
  });

  it("drops a sentinel for a key only an included file provides", () => {
    const patch = { channels: { slack: { botToken: S, enabled: true } } };
    expect(restoreRedactedDocument(patch, current, resolved, "f")).toEqual({ channels: { slack: { enabled: true } } });
  });

  it("refuses a sentinel with nothing to restore", () => {
    expect(() => restoreRedactedDocument({ models: { apiKey: S } }, current, resolved, "f")).toThrow(
      "models.apiKey: holds __PINCER_REDACTED__",
    );
  });
});
