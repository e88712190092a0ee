import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEmbeddings, fakeVector, startFakeEmbeddings } from "../../../test/fixtures/fake-embeddings/index.js";
import { PincerConfigSchema } from "../../config/schema.js";
import { type MemorySearchConfig, resolveMemorySearch } from "../config.js";
import { resolveEmbeddingProvider } from "./resolve.js";

let fake: FakeEmbeddings;
beforeAll(async () => {
  fake = await startFakeEmbeddings({ dims: 32 });
});
afterAll(async () => {
  await fake.close();
});

function provider(memorySearch: MemorySearchConfig, env: NodeJS.ProcessEnv = {}, models: unknown = undefined) {
  const config = PincerConfigSchema.parse({ agents: { defaults: { memorySearch } }, ...(models ? { models } : {}) });
  return resolveEmbeddingProvider(resolveMemorySearch(config, "main"), config, env);
}

describe("embedding providers against the fake endpoint", () => {
  it("openai: batches, keeps input order, sends the key", async () => {
    const p = provider({ provider: "openai", remote: { baseUrl: `${fake.url}/v1` } }, { OPENAI_API_KEY: "sk-test" });
    const texts = Array.from({ length: 70 }, (_, i) => `text number ${i}`);
    const before = fake.requests.length;
    const vectors = await p!.embed(texts, "document");
    expect(vectors).toHaveLength(70);
    expect(vectors[5]).toEqual(fakeVector("text number 5", 32));
    expect(fake.requests.slice(before).map((r) => r.inputs)).toEqual([64, 6]);
    expect(fake.requests.at(-1)?.auth).toBe("Bearer sk-test");
    expect(p!.model).toBe("text-embedding-3-small");
  });

  it("gemini: batchEmbedContents with the API key header", async () => {
    const p = provider({ provider: "gemini", remote: { baseUrl: `${fake.url}/v1beta`, apiKey: "g-key" } });
    const [v] = await p!.embed(["hello world"], "query");
    expect(v).toEqual(fakeVector("hello world", 32));
    expect(fake.requests.at(-1)).toMatchObject({
      path: "/v1beta/models/gemini-embedding-001:batchEmbedContents",
      auth: "g-key",
    });
  });

  it("ollama: /api/embed at the server root, also from a models.providers entry ending in /v1", async () => {
    const direct = provider({ provider: "ollama", remote: { baseUrl: fake.url } });
    expect(await direct!.embed(["a b"], "document")).toEqual([fakeVector("a b", 32)]);
    const viaEntry = provider(
      { provider: "gpu-box", model: "nomic-embed-text" },
      {},
      {
        providers: { "gpu-box": { api: "ollama", baseUrl: `${fake.url}/v1` } },
      },
    );
    await viaEntry!.embed(["x"], "document");
    expect(fake.requests.at(-1)?.path).toBe("/api/embed");
  });

  it("openai-compatible needs a base URL and a model; openai needs a key", () => {
    expect(() => provider({ provider: "openai-compatible", model: "m" })).toThrow(/remote\.baseUrl/);
    expect(() => provider({ provider: "openai" })).toThrow(/OPENAI_API_KEY/);
    expect(() => provider({ provider: "gemini" })).toThrow(/GEMINI_API_KEY/);
    expect(() => provider({ provider: "nonsense" })).toThrow(/not an embedding provider/);
    expect(provider({})).toBeUndefined();
    expect(provider({ provider: "none" })).toBeUndefined();
  });

  it("a provider that is down fails with UNAVAILABLE naming the URL, without the key", async () => {
    const p = provider({ provider: "gemini", remote: { baseUrl: `${fake.url}/v1beta`, apiKey: "secret-key" } });
    fake.down(true);
    try {
      const err = await p!.embed(["x"], "query").catch((e) => e);
      expect(err).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      expect(err.message).toMatch(/HTTP 503/);
      expect(err.message).not.toContain("secret-key");
    } finally {
      fake.down(false);
    }
  });

  it("local: names the package to install when node-llama-cpp is absent, and needs a model path", async () => {
    expect(() => provider({ provider: "local" })).toThrow(/local\.modelPath/);
    const p = provider({ provider: "local", local: { modelPath: "/tmp/model.gguf" } });
    let resolved = false;
    try {
      await import("node-llama-cpp" as string);
      resolved = true;
    } catch {}
    if (resolved) return; // installed on this machine: the error path cannot be shown here
    await expect(p!.embed(["x"], "document")).rejects.toThrow(/npm install node-llama-cpp/);
  });
});
