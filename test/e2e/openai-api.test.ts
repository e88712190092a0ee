import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentGateway } from "./agent-gateway.js";
import { startOpenAiGateway } from "./openai-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * The OpenAI-compatible API driven by the official `openai` client against the real gateway process, with a
 * fake LLM behind the agent: models, chat completions (plain and streamed), responses, sessions, errors.
 */
const TOKEN = "openai-e2e-token";
let t: AgentGateway;
let openai: OpenAI;

beforeAll(async () => {
  ({ t, openai } = await startOpenAiGateway(TOKEN, {
    agents: {
      defaults: { model: { primary: "fake/fake-model" } },
      list: [{ id: "main", default: true }, { id: "research" }],
    },
  }));
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.gw.httpUrl}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("/v1/models", () => {
  it("lists the agents as models and retrieves one by id", async () => {
    const list = await openai.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(["pincer/default", "pincer/main", "pincer/research"]);
    for (const m of list.data) {
      expect(m.object).toBe("model");
      expect(m.owned_by).toBe("pincer");
      expect(Number.isInteger(m.created)).toBe(true);
    }
    const one = await openai.models.retrieve("pincer/research");
    expect(one.id).toBe("pincer/research");
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    const err: Any = await openai.models.retrieve("gpt-4o").catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.error).toMatchObject({ type: "invalid_request_error", code: "model_not_found" });
  });

  it("refuses a wrong key with 401 and a missing key with 401", async () => {
    const wrong = new OpenAI({ apiKey: "nope", baseURL: `${t.gw.httpUrl}/v1`, maxRetries: 0 });
    const err: Any = await wrong.models.list().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.error).toMatchObject({ type: "invalid_request_error", code: "invalid_api_key" });
    const res = await fetch(`${t.gw.httpUrl}/v1/models`);
    expect(res.status).toBe(401);
    const body: Any = await res.json();
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  });
});

describe("/v1/chat/completions", () => {
  it("answers a plain completion with id, created, model echo, message and usage", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await openai.chat.completions.create({
      model: "pincer/main",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("pincer/main");
    expect(res.created).toBeGreaterThanOrEqual(before);
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]).toMatchObject({
      index: 0,
      finish_reason: "stop",
      message: { role: "assistant", content: "echo: hello there" },
    });
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage?.completion_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
    expect(t.fake.requests).toHaveLength(1);
  });

  it("streams chunks with one id, a role delta first, the text, a stop chunk and a usage chunk", async () => {
    t.fake.enqueue({ text: "one two three four", usage: { input: 40, output: 7, cacheRead: 10 } });
    const stream = await openai.chat.completions.create({
      model: "pincer/default",
      messages: [{ role: "user", content: "count" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: Any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    for (const c of chunks) {
      expect(c.object).toBe("chat.completion.chunk");
      expect(c.model).toBe("pincer/default");
    }
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("one two three four");
    const contentChunks = chunks.filter((c) => c.choices[0]?.delta?.content);
    expect(contentChunks.length).toBeGreaterThan(1);
    const stop = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(stop.choices[0].finish_reason).toBe("stop");
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({
      // The fake's 40 prompt tokens include the 10 cached ones, as OpenAI counts them.
      prompt_tokens: 40,
      completion_tokens: 7,
      total_tokens: 47,
      prompt_tokens_details: { cached_tokens: 10 },
    });
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
  });

  it("writes SSE exactly as OpenAI does: data lines, blank-line separated, ending with [DONE]", async () => {
    const res = await rawPost("/v1/chat/completions", {
      model: "pincer",
      stream: true,
      messages: [{ role: "user", content: "raw" }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    const events = raw.split("\n\n").filter(Boolean);
    for (const e of events) expect(e).toMatch(/^data: /);
    expect(events[events.length - 1]).toBe("data: [DONE]");
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice("data: ".length)));
    expect(parsed.every((p) => !("usage" in p))).toBe(true);
    expect(parsed.map((p) => p.choices[0].delta.content ?? "").join("")).toBe("echo: raw");
  });

  it("a `user` keeps one session across requests; without it each request is a fresh session", async () => {
    await openai.chat.completions.create({
      model: "pincer/main",
      user: "conv-42",
      messages: [{ role: "user", content: "remember the word kiwi" }],
    });
    await openai.chat.completions.create({
      model: "pincer/main",
      user: "conv-42",
      messages: [
        { role: "user", content: "remember the word kiwi" },
        { role: "assistant", content: "echo: remember the word kiwi" },
        { role: "user", content: "which word?" },
      ],
    });
    const second = t.fake.requests[1]?.body.messages as Any[];
    const userTexts = second.filter((m) => m.role === "user").map((m) => JSON.stringify(m.content));
    // The session's own transcript carries the first turn; the client's copy of it is not sent again.
    expect(userTexts).toHaveLength(2);
    expect(userTexts[0]).toContain("remember the word kiwi");
    expect(userTexts[1]).toContain("which word?");
    expect(userTexts[1]).not.toContain("kiwi");

    t.fake.reset();
    await openai.chat.completions.create({ model: "pincer/main", messages: [{ role: "user", content: "first" }] });
    await openai.chat.completions.create({ model: "pincer/main", messages: [{ role: "user", content: "second" }] });
    const fresh = t.fake.requests[1]?.body.messages as Any[];
    expect(fresh.filter((m) => m.role === "user")).toHaveLength(1);
  });

  it("a one-off request with history inlines the earlier turns and the system message as context", async () => {
    await openai.chat.completions.create({
      model: "pincer/main",
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "What is 2+2?" },
        { role: "assistant", content: "4" },
        { role: "user", content: [{ type: "text", text: "And 3+3?" }] },
      ],
    });
    const text = t.fake.requests[0]?.lastUserText ?? "";
    expect(text).toContain("[Instructions from the API client]\nAnswer in French.");
    expect(text).toContain("User: What is 2+2?\nAssistant: 4");
    expect(text).toContain("[Current message - respond to this]\nUser: And 3+3?");
  });

  it("answers an unknown model with 404 model_not_found before running anything", async () => {
    const err: Any = await openai.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.status).toBe(404);
    expect(err.error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    expect(t.fake.requests).toHaveLength(0);
  });

  it("rejects malformed requests with 400 naming the parameter", async () => {
    const missing: Any = await openai.chat.completions.create({ model: "pincer/main" } as Any).catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing.error).toMatchObject({ code: "missing_required_parameter", param: "messages" });

    const badRole: Any = await openai.chat.completions
      .create({ model: "pincer/main", messages: [{ role: "robot", content: "x" }] } as Any)
      .catch((e) => e);
    expect(badRole.status).toBe(400);
    expect(badRole.error.param).toBe("messages[0].role");

    const n2: Any = await openai.chat.completions
      .create({ model: "pincer/main", n: 2, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(n2.status).toBe(400);
    expect(n2.error.param).toBe("n");

    const temp: Any = await openai.chat.completions
      .create({ model: "pincer/main", temperature: 3, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(temp.error.param).toBe("temperature");

    const noUser: Any = await openai.chat.completions
      .create({ model: "pincer/main", messages: [{ role: "system", content: "only rules" }] })
      .catch((e) => e);
    expect(noUser.status).toBe(400);

    const res = await rawPost("/v1/chat/completions", "{not json");
    expect(res.status).toBe(400);
    expect(((await res.json()) as Any).error.code).toBe("invalid_json");
    expect(t.fake.requests).toHaveLength(0);
  });

  it("a failed agent run is a 5xx server_error the client is told not to retry", async () => {
    t.fake.enqueue({ error: { status: 400, message: "upstream says no" } });
    const err: Any = await openai.chat.completions
      .create({ model: "pincer/main", messages: [{ role: "user", content: "fail please" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err.error.type).toBe("server_error");
    expect(err.headers.get("x-should-retry")).toBe("false");
  });

  it("a streamed failure arrives in-band, where the client raises it", async () => {
    t.fake.enqueue({ error: { status: 400, message: "upstream says no" } });
    const stream = await openai.chat.completions.create({
      model: "pincer/main",
      stream: true,
      messages: [{ role: "user", content: "fail in stream" }],
    });
    const err: Any = await (async () => {
      for await (const _ of stream) {
        // drain until the error chunk
      }
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.error?.type ?? err.type).toBe("server_error");
  });

  it("a client that aborts a stream aborts the agent run", async () => {
    t.fake.enqueue({ text: Array.from({ length: 60 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 50 });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: "pincer/main", stream: true, messages: [{ role: "user", content: "long story" }] },
      { signal: controller.signal },
    );
    let id = "";
    let seen = 0;
    const done = (async () => {
      for await (const chunk of stream) {
        id = chunk.id;
        if (chunk.choices[0]?.delta?.content) seen += 1;
        if (seen === 2) controller.abort();
      }
    })().catch((e) => e);
    // The client's stream ends quietly on its own abort.
    expect(await done).toBeUndefined();
    expect(seen).toBe(2);
    const terminal = await t.events.terminal(id);
    expect(terminal.state).toBe("aborted");
  });
});

describe("/v1/responses", () => {
  it("answers with a response object whose output_text is the reply", async () => {
    const res = await openai.responses.create({ model: "pincer/main", input: "ping", instructions: "be brief" });
    expect(res.id).toMatch(/^resp_/);
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe("pincer/main");
    expect(res.output_text).toContain("ping");
    expect(res.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(res.usage?.input_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe((res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0));
  });

  it("streams the typed events in order and finalResponse() assembles the text", async () => {
    t.fake.enqueue({ text: "alpha beta gamma" });
    const stream = openai.responses.stream({ model: "pincer/main", input: "stream it" });
    const types: string[] = [];
    const seqs: number[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      seqs.push(ev.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("alpha beta gamma");
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.filter((x) => x === "response.output_text.delta").length).toBeGreaterThan(1);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it("previous_response_id continues the same session", async () => {
    const first = await openai.responses.create({ model: "pincer/main", input: "my name is Ada" });
    await openai.responses.create({ model: "pincer/main", input: "what is my name?", previous_response_id: first.id });
    const second = t.fake.requests[1]?.body.messages as Any[];
    const userTexts = second.filter((m) => m.role === "user").map((m) => JSON.stringify(m.content));
    expect(userTexts).toHaveLength(2);
    expect(userTexts[0]).toContain("my name is Ada");
  });

  it("an unknown previous_response_id is a 400 previous_response_not_found", async () => {
    const err: Any = await openai.responses
      .create({ model: "pincer/main", input: "x", previous_response_id: "resp_missing" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ code: "previous_response_not_found", param: "previous_response_id" });
  });

  it("a streamed failure ends with response.failed", async () => {
    t.fake.enqueue({ error: { status: 400, message: "nope" } });
    const stream = openai.responses.stream({ model: "pincer/main", input: "fail" });
    const types: string[] = [];
    const err = await (async () => {
      for await (const ev of stream) types.push(ev.type);
    })().catch((e) => e);
    expect(types[types.length - 1]).toBe("response.failed");
    expect(err === undefined || err instanceof Error).toBe(true);
  });
});

describe("endpoint switches", () => {
  it("turning chatCompletions off answers 404 with the key that turns it on", async () => {
    await t.client.call("config.patch", {
      raw: JSON.stringify({ gateway: { http: { endpoints: { chatCompletions: { enabled: false } } } } }),
    });
    const deadline = Date.now() + 5_000;
    let res = await rawPost("/v1/chat/completions", { model: "pincer", messages: [{ role: "user", content: "x" }] });
    while (res.status !== 404 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      res = await rawPost("/v1/chat/completions", { model: "pincer", messages: [{ role: "user", content: "x" }] });
    }
    expect(res.status).toBe(404);
    const body: Any = await res.json();
    expect(body.error.message).toContain("gateway.http.endpoints.chatCompletions.enabled");
    // /v1/models stays up while /v1/responses is on.
    expect((await openai.models.list()).data.length).toBeGreaterThan(0);
  });
});
