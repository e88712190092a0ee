import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fixtures/fake-llm/index.js";
import { type AgentGateway, fakeConfig, protocolValidator, startAgentGateway, textOf } from "./agent-gateway.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * Memory, workspace files and skills through a real gateway: the agent calls memory_search / memory_get /
 * skill_read, operators use agents.files.* and skills.status, and compaction is preceded by a silent memory
 * flush whose only trace is the file it wrote. The memory index runs on real SQLite; the embedding provider
 * points at a closed port, so every search also shows the "lexical results with a note" fallback.
 */
let t: AgentGateway;
let stateDir: string;
let workspace: string;
const SUMMARY = "SUMMARY: numbered long messages.";

const systemOf = (req: RecordedRequest) => JSON.stringify(req.body.messages?.[0] ?? "");
const isFlush = (req: RecordedRequest) => systemOf(req).includes("Pre-compaction memory flush");
const isSummary = (req: RecordedRequest) => systemOf(req).includes("You compress a conversation");

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "pincer-e2e-memory-"));
  workspace = join(stateDir, "workspace");
  mkdirSync(join(workspace, "memory"), { recursive: true });
  writeFileSync(join(workspace, "MEMORY.md"), "# Memory\n\n- The user's dentist is Dr. Alvarez on Elm Street.\n");
  writeFileSync(join(workspace, "memory", "2025-05-01.md"), "Booked the ferry to Naxos for June.\n");
  t = await startAgentGateway(
    (fake) =>
      fakeConfig(fake, {
        contextWindow: 8_000,
        agentDefaults: {
          compaction: { keepRecentTurns: 2 },
          // Sessions other than main are sandboxed by default, and a sandboxed session writes into its sandbox
          // copy of the workspace; these tests look at the host workspace.
          sandbox: { mode: "off" },
          // Port 9 (discard) on loopback: refused at once, like an embedding server that is down.
          memorySearch: { provider: "openai", remote: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "k" } },
        },
      }),
    { stateDir },
  );
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

const toolResults = (runId: string) =>
  t.events.agent(runId).filter((e: Any) => e.stream === "tool" && e.data.phase === "result");

describe("memory tools in an agent turn", () => {
  it("memory_search then memory_get: the model sees the fact, its file and lines, and the lexical-fallback note", async () => {
    t.fake.enqueue(
      { toolCalls: [{ id: "s1", name: "memory_search", args: { query: "dentist" } }] },
      { toolCalls: [{ id: "g1", name: "memory_get", args: { path: "MEMORY.md", from: 3, lines: 1 } }] },
      { text: "Your dentist is Dr. Alvarez." },
    );
    const final = await t.turn("who is my dentist?", { sessionKey: "mem-1" });
    expect(textOf(final.message)).toBe("Your dentist is Dr. Alvarez.");
    const [search, get] = toolResults(final.runId);
    const found = JSON.parse(search.data.result);
    expect(found.results[0]).toMatchObject({ path: "MEMORY.md", startLine: 1, source: "memory" });
    expect(found.results[0].snippet).toContain("Dr. Alvarez");
    expect(found.mode).toBe("lexical");
    expect(found.notes.join(" ")).toMatch(/unreachable|semantic search/);
    expect(get.data.result).toContain("MEMORY.md (lines 3-3 of 3)\n- The user's dentist is Dr. Alvarez on Elm Street.");
  });

  it("offers memory and skill tools, and lists the bundled skills in the system prompt", async () => {
    t.fake.enqueue({ text: "ok" });
    await t.turn("hello", { sessionKey: "mem-2" });
    const req = t.fake.requests[0] as RecordedRequest;
    const tools = req.body.tools.map((x: Any) => x.function.name);
    expect(tools).toEqual(expect.arrayContaining(["memory_search", "memory_get", "skill_read"]));
    const system = systemOf(req);
    expect(system).toContain("## Skills");
    for (const name of ["notes", "reminders", "summarize-url"]) expect(system).toContain(`- ${name}: `);
  });

  it("skill_read opens a bundled skill's SKILL.md; memory_get refuses files that are not memory", async () => {
    const read = await t.client.call<Any>("tools.invoke", { name: "skill_read", args: { name: "notes" } });
    expect(JSON.stringify(read)).toContain("# Notes");
    const refused = await t.client.call<Any>("tools.invoke", { name: "memory_get", args: { path: "../pincer.json" } });
    expect(JSON.stringify(refused)).toMatch(/not a memory file/);
  });
});

describe("workspace files and skills over the wire", () => {
  it("agents.files.list/get/set answer in OpenClaw's shapes and refuse other names", async () => {
    const validList = protocolValidator("AgentsFilesListResult");
    const validGet = protocolValidator("AgentsFilesGetResult");
    const validSet = protocolValidator("AgentsFilesSetResult");
    const list = await t.client.call<Any>("agents.files.list", { agentId: "main" });
    expect(validList(list)).toBe(true);
    expect(list.files.find((f: Any) => f.name === "MEMORY.md")).toMatchObject({ missing: false });
    const set = await t.client.call<Any>("agents.files.set", {
      agentId: "main",
      name: "SOUL.md",
      content: "Be brief.\n",
    });
    expect(validSet(set)).toBe(true);
    const got = await t.client.call<Any>("agents.files.get", { agentId: "main", name: "SOUL.md" });
    expect(validGet(got)).toBe(true);
    expect(got.file.content).toBe("Be brief.\n");
    await expect(t.client.call("agents.files.get", { agentId: "main", name: "../pincer.json" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    await expect(t.client.call("agents.files.list", { agentId: "ghost" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("skills.status lists the bundled skills as eligible", async () => {
    const status = await t.client.call<Any>("skills.status", {});
    const names = status.skills.filter((s: Any) => s.eligible).map((s: Any) => s.name);
    expect(names).toEqual(expect.arrayContaining(["notes", "reminders", "summarize-url"]));
  });
});

describe("pre-compaction memory flush", () => {
  it("before compacting, a silent turn writes to memory; the user sees nothing of it and search finds it", async () => {
    let day = "";
    t.fake.setDefault((req) => {
      if (isSummary(req)) return { text: SUMMARY };
      if (isFlush(req)) {
        day = /memory\/(\d{4}-\d{2}-\d{2})\.md/.exec(systemOf(req))?.[1] ?? "";
        const wrote = (req.body.messages as Any[]).some((m) => m.role === "tool");
        return wrote
          ? { text: "NO_REPLY" }
          : {
              toolCalls: [
                {
                  id: "w1",
                  name: "write",
                  args: { path: `memory/${day}.md`, content: "- Flushed: the user collects blue teapots.\n" },
                },
              ],
            };
      }
      // Echoing the whole message makes each turn cost ~2,000 tokens: the fourth one compacts.
      return { text: `ack ${req.lastUserText}` };
    });
    const long = (topic: string) => `${topic} ${"z".repeat(4_000)}`;
    const runIds: string[] = [];
    for (const topic of ["one", "two", "three", "four", "five"]) {
      const final = await t.turn(long(topic), { sessionKey: "flush-1" });
      runIds.push(final.runId);
    }
    const flushRequests = t.fake.requests.filter(isFlush);
    expect(flushRequests.length).toBeGreaterThanOrEqual(2);
    // The flush came before the summary it protects.
    expect(t.fake.requests.indexOf(flushRequests[0] as RecordedRequest)).toBeLessThan(
      t.fake.requests.findIndex(isSummary),
    );
    expect(readFileSync(join(workspace, "memory", `${day}.md`), "utf8")).toContain("blue teapots");
    // Nothing of the flush reached the client or the transcript.
    const seen = JSON.stringify(t.events.all.filter((e) => runIds.includes(e.payload?.runId)));
    expect(seen).not.toContain("NO_REPLY");
    expect(seen).not.toContain("memory flush");
    const history = await t.client.call<Any>("chat.history", { sessionKey: "flush-1" });
    expect(JSON.stringify(history)).not.toContain("NO_REPLY");
    const search = await t.client.call<Any>("tools.invoke", { name: "memory_search", args: { query: "teapots" } });
    expect(JSON.stringify(search)).toContain(`memory/${day}.md`);
    expect(existsSync(join(stateDir, "agents", "main", "memory.sqlite"))).toBe(true);
    expect(readdirSync(join(workspace, "memory"))).toContain(`${day}.md`);
  });
});
