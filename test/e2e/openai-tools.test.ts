import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AgentGateway } from "./agent-gateway.js";
import { startOpenAiGateway } from "./openai-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Client-declared function tools on the OpenAI-compatible API, driven by the official `openai` client against
 * the real gateway with a fake LLM behind the agent: the model calls a client tool, the client gets the call,
 * sends the result, and the model's next request carries it.
 */
const TOKEN = "openai-tools-e2e-token";
let t: AgentGateway;
let openai: OpenAI;

beforeAll(async () => {
  ({ t, openai } = await startOpenAiGateway(TOKEN));
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const WEATHER = {
  name: "get_weather",
  description: "Current weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const chatTools: OpenAI.Chat.ChatCompletionTool[] = [{ type: "function", function: WEATHER }];
const responseTools: OpenAI.Responses.FunctionTool[] = [{ type: "function", strict: false, ...WEATHER }];

/** Names of the tools the fake LLM was offered in its `n`-th request (Chat Completions wire shape). */
function offeredTools(n: number): string[] {
  return (t.fake.requests[n]?.body.tools ?? []).map((tool: Any) => tool.function.name);
}

/** The tool message the fake LLM received in its `n`-th request, if any. */
function toolMessage(n: number): Any {
  return t.fake.requests[n]?.body.messages.find((m: Any) => m.role === "tool");
}

function toolText(message: Any): string {
  return typeof message.content === "string" ? message.content : message.content.map((p: Any) => p.text).join("");
}

async function badRequest(p: Promise<unknown>): Promise<Any> {
  const err: Any = await p.catch((e) => e);
  expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  return err;
}

describe("/v1/chat/completions client tools", () => {
  it("hands a client tool call to the client and continues with its result (one-off session)", async () => {
    t.fake.enqueue(
      { text: "Let me check.", toolCalls: [{ id: "call_w1", name: "get_weather", args: { city: "Paris" } }] },
      { text: "It is sunny in Paris." },
    );
    const question: OpenAI.Chat.ChatCompletionMessageParam = { role: "user", content: "Weather in Paris?" };
    const first = await openai.chat.completions.create({
      model: "pincer/default",
      messages: [question],
      tools: chatTools,
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Let me check.");
    expect(choice.message.tool_calls).toEqual([
      { id: "call_w1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    ]);
    // The client's tool went to the model beside the agent's own, with the declared schema.
    expect(offeredTools(0)).toContain("get_weather");
    expect(offeredTools(0)).toContain("session_status");
    const offered = t.fake.requests[0]!.body.tools.find((x: Any) => x.function.name === "get_weather");
    expect(offered.function.parameters).toMatchObject(WEATHER.parameters);

    const second = await openai.chat.completions.create({
      model: "pincer/default",
      tools: chatTools,
      messages: [question, choice.message, { role: "tool", tool_call_id: "call_w1", content: "sunny, 21C" }],
    });
    expect(second.choices[0]).toMatchObject({
      finish_reason: "stop",
      message: { role: "assistant", content: "It is sunny in Paris." },
    });
    const body = t.fake.requests[1]!.body;
    const call = body.messages.find((m: Any) => m.role === "assistant" && m.tool_calls);
    expect(call.tool_calls[0]).toMatchObject({ id: "call_w1", function: { name: "get_weather" } });
    expect(toolMessage(1)).toMatchObject({ tool_call_id: "call_w1" });
    expect(toolText(toolMessage(1))).toBe("sunny, 21C");
    expect(JSON.stringify(body.messages)).toContain("Weather in Paris?");
  });

  it("streams the call as delta.tool_calls chunks the SDK's stream helper assembles (stateful session)", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_s1", name: "get_weather", args: { city: "Oslo" } }] },
      { text: "Snowing in Oslo." },
    );
    const user = `tools-stream-${Date.now()}`;
    const question: OpenAI.Chat.ChatCompletionMessageParam = { role: "user", content: "Oslo weather?" };
    const stream = openai.chat.completions.stream({
      model: "pincer/default",
      user,
      messages: [question],
      tools: chatTools,
    });
    const chunks: Any[] = [];
    stream.on("chunk", (c) => chunks.push(c));
    const completion = await stream.finalChatCompletion();
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(choice.message.tool_calls?.[0]).toMatchObject({
      id: "call_s1",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
    });
    const callChunks = chunks.filter((c) => c.choices[0]?.delta?.tool_calls);
    expect(callChunks.length).toBeGreaterThan(0);
    expect(callChunks[0].choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, id: "call_s1", type: "function" });
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");

    const next = openai.chat.completions.stream({
      model: "pincer/default",
      user,
      tools: chatTools,
      messages: [question, choice.message, { role: "tool", tool_call_id: "call_s1", content: "snow, -3C" }],
    });
    const final = await next.finalChatCompletion();
    expect(final.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "Snowing in Oslo." } });
    expect(toolMessage(1)).toMatchObject({ tool_call_id: "call_s1" });
    expect(toolText(toolMessage(1))).toBe("snow, -3C");
    // The session's own transcript supplied the call: it reaches the model once, not duplicated.
    const calls = t.fake.requests[1]!.body.messages.filter((m: Any) => m.tool_calls);
    expect(calls).toHaveLength(1);
  });

  it('offers no client tool with tool_choice "none"', async () => {
    const res = await openai.chat.completions.create({
      model: "pincer/default",
      messages: [{ role: "user", content: "just talk" }],
      tools: chatTools,
      tool_choice: "none",
    });
    expect(res.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "echo: just talk" } });
    expect(offeredTools(0)).not.toContain("get_weather");
  });

  it("offers only the named function and fails with 502 when the agent does not call it", async () => {
    const other = { type: "function" as const, function: { name: "get_time", parameters: { type: "object" } } };
    const err: Any = await openai.chat.completions
      .create({
        model: "pincer/default",
        messages: [{ role: "user", content: "weather?" }],
        tools: [...chatTools, other],
        tool_choice: { type: "function", function: { name: "get_weather" } },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ code: "tool_choice_not_honored", param: "tool_choice" });
    expect(offeredTools(0)).toContain("get_weather");
    expect(offeredTools(0)).not.toContain("get_time");
    expect(JSON.stringify(t.fake.requests[0]!.body.messages)).toContain("requires a tool call");
    // The provider is asked to force the call too (this fake ignores it, so the gateway's check answers).
    expect(t.fake.requests[0]!.body.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
  });

  it("refuses a client tool named like one of the agent's own tools", async () => {
    const err = await badRequest(
      openai.chat.completions.create({
        model: "pincer/default",
        messages: [{ role: "user", content: "hi" }],
        tools: [...chatTools, { type: "function", function: { name: "session_status" } }],
      }),
    );
    expect(err.error).toMatchObject({ param: "tools[1].function.name", code: "tool_name_conflict" });
    expect(err.message).toContain("session_status");
    expect(t.fake.requests).toHaveLength(0);
  });

  it.each([
    [{ name: "bad name!" }, "tools[0].function.name"],
    [{ name: "x".repeat(65) }, "tools[0].function.name"],
    [{ name: "ok", parameters: { type: "string" } }, "tools[0].function.parameters.type"],
    [{ name: "ok", parameters: { type: "object", required: "city" } }, "tools[0].function.parameters.required"],
    [{ name: "ok", parameters: [] }, "tools[0].function.parameters"],
  ])("refuses a bad function declaration %j at %s", async (fn, param) => {
    const err = await badRequest(
      openai.chat.completions.create({
        model: "pincer/default",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: fn as Any }],
      }),
    );
    expect(err.error.param).toBe(param);
    expect(t.fake.requests).toHaveLength(0);
  });

  it("refuses a tool result for a call id the conversation never made", async () => {
    const err = await badRequest(
      openai.chat.completions.create({
        model: "pincer/default",
        tools: chatTools,
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_real", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: "tool", tool_call_id: "call_made_up", content: "sunny" },
        ],
      }),
    );
    expect(err.error).toMatchObject({ param: "messages[2].tool_call_id", code: "unknown_tool_call" });
    expect(err.message).toContain("call_made_up");
    expect(t.fake.requests).toHaveLength(0);
  });

  it("refuses a tool result in a stateful session that awaits no call", async () => {
    const err = await badRequest(
      openai.chat.completions.create({
        model: "pincer/default",
        user: `no-pending-${Date.now()}`,
        messages: [{ role: "tool", tool_call_id: "call_x", content: "sunny" }],
      }),
    );
    expect(err.error.param).toBe("messages[0].tool_call_id");
  });
});

describe("/v1/responses client tools", () => {
  it("returns a function_call item and continues from function_call_output (previous_response_id)", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_r1", name: "get_weather", args: { city: "Lima" } }] },
      { text: "Lima is cloudy." },
    );
    const first = await openai.responses.create({
      model: "pincer/default",
      input: "Lima weather?",
      tools: responseTools,
    });
    expect(first.status).toBe("completed");
    expect(first.output).toHaveLength(1);
    expect(first.output[0]).toMatchObject({
      type: "function_call",
      call_id: "call_r1",
      name: "get_weather",
      arguments: '{"city":"Lima"}',
      status: "completed",
    });
    expect((first.output[0] as Any).id).toMatch(/^fc_/);
    expect(first.tools).toEqual([expect.objectContaining({ type: "function", name: "get_weather" })]);
    expect(offeredTools(0)).toContain("get_weather");

    const second = await openai.responses.create({
      model: "pincer/default",
      previous_response_id: first.id,
      tools: responseTools,
      input: [{ type: "function_call_output", call_id: "call_r1", output: "cloudy, 18C" }],
    });
    expect(second.output_text).toBe("Lima is cloudy.");
    expect(toolMessage(1)).toMatchObject({ tool_call_id: "call_r1" });
    expect(toolText(toolMessage(1))).toBe("cloudy, 18C");
  });

  it("continues a one-off conversation the client replays with the function_call item", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "call_r2", name: "get_weather", args: { city: "Cairo" } }] },
      { text: "Hot in Cairo." },
    );
    const first = await openai.responses.create({ model: "pincer/default", input: "Cairo?", tools: responseTools });
    const second = await openai.responses.create({
      model: "pincer/default",
      tools: responseTools,
      input: [
        { role: "user", content: "Cairo?" },
        ...(first.output as Any[]),
        { type: "function_call_output", call_id: "call_r2", output: "hot, 35C" },
      ],
    });
    expect(second.output_text).toBe("Hot in Cairo.");
    expect(toolText(toolMessage(1))).toBe("hot, 35C");
  });

  it("streams function_call events the SDK's stream helper assembles, then continues streaming", async () => {
    t.fake.enqueue(
      { text: "Checking.", toolCalls: [{ id: "call_r3", name: "get_weather", args: { city: "Bern" } }] },
      { text: "Bern is mild." },
    );
    const stream = openai.responses.stream({ model: "pincer/default", input: "Bern?", tools: responseTools });
    const types: string[] = [];
    const argDeltas: string[] = [];
    stream.on("event", (e: Any) => {
      types.push(e.type);
      if (e.type === "response.function_call_arguments.delta") argDeltas.push(e.delta);
    });
    const response = await stream.finalResponse();
    expect(response.output.map((o) => o.type)).toEqual(["message", "function_call"]);
    expect(response.output_text).toBe("Checking.");
    expect(response.output[1]).toMatchObject({ call_id: "call_r3", name: "get_weather", arguments: '{"city":"Bern"}' });
    expect(argDeltas.join("")).toBe('{"city":"Bern"}');
    const fc = types.indexOf("response.function_call_arguments.done");
    expect(fc).toBeGreaterThan(types.lastIndexOf("response.output_text.done"));
    expect(types.slice(fc - 2, fc + 2)).toEqual([
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
    ]);
    expect(types.at(-1)).toBe("response.completed");

    const next = openai.responses.stream({
      model: "pincer/default",
      previous_response_id: response.id,
      input: [{ type: "function_call_output", call_id: "call_r3", output: "mild, 15C" }],
    });
    const final = await next.finalResponse();
    expect(final.output_text).toBe("Bern is mild.");
    expect(toolText(toolMessage(1))).toBe("mild, 15C");
  });

  it('offers no client tool with tool_choice "none"', async () => {
    const res = await openai.responses.create({
      model: "pincer/default",
      input: "no tools please",
      tools: responseTools,
      tool_choice: "none",
    });
    expect(res.output_text).toBe("echo: no tools please");
    expect(offeredTools(0)).not.toContain("get_weather");
  });

  it("refuses a clashing name, a bad schema, a non-function tool and an unknown call_id", async () => {
    const clash = await badRequest(
      openai.responses.create({
        model: "pincer/default",
        input: "hi",
        tools: [{ type: "function", name: "session_status", parameters: null, strict: false }],
      }),
    );
    expect(clash.error).toMatchObject({ param: "tools[0].name", code: "tool_name_conflict" });

    const schema = await badRequest(
      openai.responses.create({
        model: "pincer/default",
        input: "hi",
        tools: [{ type: "function", name: "ok", parameters: { type: "array" }, strict: false }],
      }),
    );
    expect(schema.error.param).toBe("tools[0].parameters.type");

    const builtin = await badRequest(
      openai.responses.create({ model: "pincer/default", input: "hi", tools: [{ type: "web_search_preview" }] }),
    );
    expect(builtin.error.param).toBe("tools[0].type");

    t.fake.enqueue({ toolCalls: [{ id: "call_r4", name: "get_weather", args: { city: "Kyiv" } }] });
    const first = await openai.responses.create({ model: "pincer/default", input: "Kyiv?", tools: responseTools });
    const unknown = await badRequest(
      openai.responses.create({
        model: "pincer/default",
        previous_response_id: first.id,
        input: [{ type: "function_call_output", call_id: "call_nope", output: "x" }],
      }),
    );
    expect(unknown.error).toMatchObject({ param: "input[0].call_id", code: "unknown_tool_call" });
    expect(unknown.message).toContain("call_r4");
  });
});
