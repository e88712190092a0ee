import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../test/fixtures/fake-llm/index.js";
import { OLLAMA_PROBE_TTL_MS, OllamaProbe } from "./ollama-probe.js";

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ models: ["llama3.2:1b", "qwen3:4b"] });
});
afterAll(() => fake.close());

describe("OllamaProbe", () => {
  it("lists a running server's models and remembers the answer for a while", async () => {
    let clock = 0;
    const probe = new OllamaProbe(() => clock, fake.url);
    expect(probe.cached()).toBeUndefined();
    expect(await probe.probe()).toMatchObject({ reachable: true, models: ["llama3.2:1b", "qwen3:4b"] });
    clock += OLLAMA_PROBE_TTL_MS - 1;
    await probe.probe();
    expect(probe.cached()?.checkedAt).toBe(0);
    clock += 1;
    await probe.probe();
    expect(probe.cached()?.checkedAt).toBe(OLLAMA_PROBE_TTL_MS);
  });

  it("accepts a base URL that already ends in /api", async () => {
    const probe = new OllamaProbe(() => 0, fake.ollamaBaseUrl);
    expect((await probe.probe()).reachable).toBe(true);
  });

  it("an unreachable server is a value, not an exception", async () => {
    const probe = new OllamaProbe(() => 0, "http://127.0.0.1:9");
    const state = await probe.probe();
    expect(state).toMatchObject({ reachable: false, models: [] });
    expect(state.error).toContain("127.0.0.1:9/api/tags");
  });

  it.each([
    [404, "{}", "HTTP 404"],
    [200, "<html>hello</html>", "did not answer like Ollama"],
  ])("a server that is not Ollama (HTTP %i) counts as unreachable", async (status, body, error) => {
    const server: Server = createServer((_req, res) => res.writeHead(status).end(body));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const probe = new OllamaProbe(() => 0, `http://127.0.0.1:${port}`);
      expect(await probe.probe()).toMatchObject({ reachable: false, error: expect.stringContaining(error) });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a new base URL forgets the old answer", async () => {
    const probe = new OllamaProbe(() => 0, fake.url);
    await probe.probe();
    probe.setBaseUrl("http://127.0.0.1:9");
    expect(probe.cached()).toBeUndefined();
  });
});
