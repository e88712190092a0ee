import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type AgentGateway, fakeConfig, protocolValidator, startAgentGateway } from "./agent-gateway.js";
import { REPO_ROOT } from "./harness.js";
import { offeredTools, runToolTurn } from "./tools-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * MCP servers from config, through the gateway: the real npm servers (filesystem, memory) over stdio, a
 * streamable HTTP server, and one that crashes mid-call. Also tools.catalog / tools.effective against
 * OpenClaw's published schema, and POST /tools/invoke with its auth and deny list.
 */

const TOKEN = "tools-mcp-token";
let t: AgentGateway;
let dir: string;
let httpMcp: Server;

function startHttpMcp(): Promise<number> {
  httpMcp = createServer(async (req, res) => {
    // Stateless streamable HTTP: one server and transport per request.
    const server = new McpServer({ name: "http-tools", version: "1.0.0" });
    server.registerTool(
      "add",
      { description: "Add two numbers", inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => ({
        content: [{ type: "text", text: String(a + b) }],
      }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    await transport.handleRequest(req, res, body);
  });
  return new Promise((r) => httpMcp.listen(0, "127.0.0.1", () => r((httpMcp.address() as AddressInfo).port)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pincer-mcp-"));
  mkdirSync(join(dir, "files"));
  writeFileSync(join(dir, "files", "hello.txt"), "hello from the filesystem server");
  const port = await startHttpMcp();
  const mod = (p: string) => join(REPO_ROOT, "node_modules", p);
  t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake, { agentDefaults: { maxSteps: 3 } }),
      gateway: { auth: { token: TOKEN } },
      mcp: {
        servers: {
          files: {
            command: process.execPath,
            args: [mod("@modelcontextprotocol/server-filesystem/dist/index.js"), join(dir, "files")],
          },
          memory: {
            command: process.execPath,
            args: [mod("@modelcontextprotocol/server-memory/dist/index.js")],
            env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl"), NODE_OPTIONS: "--require /nonexistent.js" },
          },
          flaky: { command: process.execPath, args: [join(REPO_ROOT, "test/fixtures/mcp/crashing-server.mjs")] },
          remote: { url: `http://127.0.0.1:${port}/mcp` },
          broken: { command: "/nonexistent/mcp-server", connectionTimeoutMs: 2000 },
        },
      },
    }),
    { token: TOKEN },
  );
}, 60_000);
afterAll(async () => {
  await t?.close();
  httpMcp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("MCP servers", () => {
  it("offers every server's tools as <server>__<tool>; a server that cannot start is left out", async () => {
    const r = await runToolTurn(t, "main", "files__read_text_file", { path: join(dir, "files", "hello.txt") }, 60_000);
    expect(r.isError).toBe(false);
    expect(r.result).toContain("hello from the filesystem server");
    const offered = offeredTools(t);
    expect(offered).toEqual(
      expect.arrayContaining(["files__list_directory", "memory__create_entities", "flaky__echo", "remote__add"]),
    );
    expect(offered.some((n) => n.startsWith("broken__"))).toBe(false);
    const schema = ((t.fake.requests.at(-1)?.body.tools ?? []) as Any[]).find((x) => x.function.name === "remote__add");
    expect(schema.function.parameters.properties).toMatchObject({ a: { type: "number" }, b: { type: "number" } });
  });

  it("the memory server keeps what it is told (and ignored the NODE_OPTIONS injection)", async () => {
    const created = await runToolTurn(t, "main", "memory__create_entities", {
      entities: [{ name: "Pincer", entityType: "project", observations: ["written in TypeScript"] }],
    });
    expect(created.isError).toBe(false);
    const graph = await runToolTurn(t, "main", "memory__read_graph", {});
    expect(graph.result).toContain("written in TypeScript");
  });

  it("calls a streamable HTTP server", async () => {
    const r = await runToolTurn(t, "main", "remote__add", { a: 2, b: 40 });
    expect(r.result).toBe("42");
  });

  it("a server that crashes mid-call gives an error result, and is restarted for the next call", async () => {
    const before = await runToolTurn(t, "main", "flaky__echo", { text: "one" });
    const pid1 = /pid (\d+)/.exec(before.result)?.[1];
    const crash = await runToolTurn(t, "main", "flaky__crash", {});
    expect(crash.isError).toBe(true);
    expect(crash.result).toMatch(/MCP server "flaky" stopped during the call/);
    expect(crash.final.state).toBe("final");
    const after = await runToolTurn(t, "main", "flaky__echo", { text: "two" });
    expect(after.isError).toBe(false);
    const pid2 = /pid (\d+)/.exec(after.result)?.[1];
    expect(pid2).toBeDefined();
    expect(pid2).not.toBe(pid1);
  });

  it("sandboxed sessions do not get MCP tools unless tools.sandbox.tools allows them", async () => {
    await runToolTurn(t, "telegram:group:1", "session_status", {});
    expect(offeredTools(t).some((n) => n.includes("__"))).toBe(false);
  });
});

describe("tools.catalog and tools.effective", () => {
  it("match OpenClaw's published result schemas and list core and MCP tools", async () => {
    const catalog = await t.client.call<Any>("tools.catalog", {});
    const validCatalog = protocolValidator("ToolsCatalogResult");
    expect(validCatalog(catalog), JSON.stringify(validCatalog.errors)).toBe(true);
    const ids = catalog.groups.flatMap((g: Any) => g.tools.map((x: Any) => x.id));
    expect(ids).toEqual(expect.arrayContaining(["exec", "read", "web_fetch", "files__read_text_file"]));

    const main = await t.client.call<Any>("tools.effective", { sessionKey: "main" });
    const validEffective = protocolValidator("ToolsEffectiveResult");
    expect(validEffective(main), JSON.stringify(validEffective.errors)).toBe(true);
    const mcp = main.groups.find((g: Any) => g.id === "mcp");
    expect(mcp.tools.find((x: Any) => x.id === "remote__add")).toMatchObject({
      mcpServer: "remote",
      mcpToolName: "add",
    });

    const group = await t.client.call<Any>("tools.effective", { sessionKey: "telegram:group:1" });
    const groupIds = group.groups.flatMap((g: Any) => g.tools.map((x: Any) => x.id));
    expect(groupIds).toContain("exec");
    expect(groupIds).not.toContain("sessions_send");
    expect(groupIds.some((n: string) => n.includes("__"))).toBe(false);
  });
});

describe("POST /tools/invoke", () => {
  const invoke = (body: unknown, token: string | null = TOKEN) =>
    fetch(`${t.gw.httpUrl}/tools/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it("runs an allowed tool with the session's policy", async () => {
    const res = await invoke({ tool: "files__list_directory", args: { path: join(dir, "files") } });
    expect(res.status).toBe(200);
    const json: Any = await res.json();
    expect(json.ok).toBe(true);
    expect(json.result).toMatchObject({ ok: true, toolName: "files__list_directory", source: "mcp" });
    expect(JSON.stringify(json.result.output)).toContain("hello.txt");
    const valid = protocolValidator("ToolsInvokeResult");
    expect(valid(json.result), JSON.stringify(valid.errors)).toBe(true);
    const ws = await t.client.call<Any>("tools.invoke", { name: "read", args: { path: "nope.txt" } });
    expect(ws.ok).toBe(false);
  });

  it("refuses bad auth, denied tools, unknown tools and bad input with the right status", async () => {
    expect((await invoke({ tool: "read", args: { path: "x" } }, null)).status).toBe(401);
    expect((await invoke({ tool: "read", args: { path: "x" } }, "wrong")).status).toBe(401);
    const exec = await invoke({ tool: "exec", args: { command: "id" } });
    expect(exec.status).toBe(404);
    expect(((await exec.json()) as Any).error.message).toMatch(/only inside an agent turn/);
    expect((await invoke({ tool: "no_such_tool" })).status).toBe(404);
    expect((await invoke({ args: {} })).status).toBe(400);
    expect((await invoke({ tool: "read", args: { path: 5 } })).status).toBe(400);
    const notJson = await fetch(`${t.gw.httpUrl}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect(
      (await fetch(`${t.gw.httpUrl}/tools/invoke`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(405);
    const big = await fetch(`${t.gw.httpUrl}/tools/invoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ tool: "read", args: { path: "x".repeat(3 * 1024 * 1024) } }),
    }).catch((err: Error) => err);
    expect(big instanceof Error || big.status === 413).toBe(true);
  });
});
