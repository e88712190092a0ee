import { describe, expect, it } from "vitest";
import { type PincerConfigInput, PincerConfigSchema } from "../config/schema.js";
import { resolveProviders } from "./catalog.js";
import { implicitChain, resolveModelChain } from "./chain.js";

function chain(input: PincerConfigInput, env: NodeJS.ProcessEnv, agentId?: string, override?: string): string[] {
  const config = PincerConfigSchema.parse(input);
  return resolveModelChain(config, resolveProviders(config, env), agentId, override).map(
    (r) => `${r.provider}/${r.model}`,
  );
}

describe("resolveModelChain", () => {
  it.each([
    { name: "nothing configured, no key: empty", input: {}, env: {}, out: [] },
    {
      name: "a key but no model: that provider's default",
      input: {},
      env: { OPENAI_API_KEY: "o" },
      out: ["openai/gpt-5.4"],
    },
    {
      name: "several keys: each provider's default, in the built-in order",
      input: {},
      env: { OPENROUTER_API_KEY: "r", ANTHROPIC_API_KEY: "a", GEMINI_API_KEY: "g" },
      out: ["anthropic/claude-sonnet-4-6", "google/gemini-2.5-flash", "openrouter/anthropic/claude-sonnet-4.6"],
    },
    {
      name: "a configured custom provider comes first",
      input: { models: { providers: { vllm: { baseUrl: "http://h/v1", models: [{ id: "qwen3" }] } } } },
      env: { ANTHROPIC_API_KEY: "a" },
      out: ["vllm/qwen3", "anthropic/claude-sonnet-4-6"],
    },
    {
      name: "a string default is the whole chain",
      input: { agents: { defaults: { model: "openai/gpt-5.4-mini" } } },
      env: { ANTHROPIC_API_KEY: "a" },
      out: ["openai/gpt-5.4-mini"],
    },
    {
      name: "primary then fallbacks, duplicates dropped",
      input: {
        agents: {
          defaults: {
            model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openai/gpt-5.4", "anthropic/claude-opus-4-6"] },
          },
        },
      },
      env: {},
      out: ["anthropic/claude-opus-4-6", "openai/gpt-5.4"],
    },
    {
      name: "fallbacks without a primary follow the implicit primary",
      input: { agents: { defaults: { model: { fallbacks: ["openai/gpt-5.4"] } } } },
      env: { ANTHROPIC_API_KEY: "a" },
      out: ["anthropic/claude-sonnet-4-6", "openai/gpt-5.4"],
    },
  ])("$name", ({ input, env, out }) => {
    expect(chain(input, env)).toEqual(out);
  });

  const agents: PincerConfigInput = {
    agents: {
      defaults: { model: { primary: "anthropic/claude-sonnet-4-6", fallbacks: ["openai/gpt-5.4"] } },
      list: [
        { id: "cheap", model: "google/gemini-2.5-flash" },
        { id: "own", model: { primary: "openai/gpt-4.1", fallbacks: ["google/gemini-2.5-pro"] } },
        { id: "plain" },
      ],
    },
  };

  it.each([
    ["cheap", undefined, ["google/gemini-2.5-flash", "openai/gpt-5.4"]],
    ["own", undefined, ["openai/gpt-4.1", "google/gemini-2.5-pro"]],
    ["plain", undefined, ["anthropic/claude-sonnet-4-6", "openai/gpt-5.4"]],
    ["missing-agent", undefined, ["anthropic/claude-sonnet-4-6", "openai/gpt-5.4"]],
    [undefined, "openrouter/google/gemini-2.5-flash", ["openrouter/google/gemini-2.5-flash", "openai/gpt-5.4"]],
    ["own", "anthropic/claude-haiku-4-5", ["anthropic/claude-haiku-4-5", "google/gemini-2.5-pro"]],
  ])("agent %s with override %s → %j", (agentId, override, out) => {
    expect(chain(agents, {}, agentId, override)).toEqual(out);
  });

  it("skips providers whose key is missing when choosing implicitly", () => {
    const config = PincerConfigSchema.parse({ models: { providers: { anthropic: { models: [{ id: "claude-x" }] } } } });
    expect(implicitChain(config, resolveProviders(config, {}))).toEqual([]);
    expect(implicitChain(config, resolveProviders(config, { ANTHROPIC_API_KEY: "a" }))).toEqual([
      { provider: "anthropic", model: "claude-sonnet-4-6" },
    ]);
  });
});
