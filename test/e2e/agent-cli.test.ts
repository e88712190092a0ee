import { spawn } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentGateway, startAgentGateway } from "./agent-gateway.js";
import { freePort, PINCER_BIN } from "./harness.js";

/** `pincer agent -m` against the real gateway: output and exit codes. */
let t: AgentGateway;

beforeAll(async () => {
  t = await startAgentGateway();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.fake.reset();
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pincer(args: string[], timeoutMs = 15_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PINCER_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: t.gw.stateDir, PINCER_STATE_DIR: t.gw.stateDir, NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`pincer ${args.join(" ")} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const agent = (...args: string[]) => pincer(["agent", "--url", t.gw.url, ...args]);

describe("pincer agent -m", () => {
  it("prints the streamed reply and exits 0", async () => {
    t.fake.enqueue({ text: "Streaming reply in words." });
    const res = await agent("-m", "hello from the cli", "--session", "cli-1");
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("Streaming reply in words.\n");
    const history = await t.client.call<{ messages: unknown[] }>("chat.history", { sessionKey: "cli-1" });
    expect(history.messages).toHaveLength(2);
    expect(t.fake.requests[0]?.body.messages[0].content).toContain("This conversation is on cli.");
  });

  it("--json prints the final event", async () => {
    const res = await agent("-m", "json please", "--session", "cli-2", "--json");
    expect(res.code).toBe(0);
    const final = JSON.parse(res.stdout);
    expect(final).toMatchObject({ state: "final", sessionKey: "agent:main:cli-2" });
    expect(final.message.content[0].text).toBe("echo: json please");
  });

  it("exits 1 with the gateway's message when the model fails", async () => {
    t.fake.enqueue({ error: { status: 400, message: "your prompt is malformed" } });
    const res = await agent("-m", "fail", "--session", "cli-3");
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^pincer: MODEL_ERROR: All models failed: .*your prompt is malformed/);
  });

  it("exits 1 when the gateway cannot be reached, and on a missing -m", async () => {
    const port = await freePort();
    const unreachable = await pincer(["agent", "--url", `ws://127.0.0.1:${port}`, "-m", "hi"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the gateway/);
    const usage = await pincer(["agent", "--url", t.gw.url]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/required option '-m, --message <text>'/);
  });

  it("exits 1 instead of hanging when the gateway dies during the reply", async () => {
    t.fake.enqueue({ text: Array.from({ length: 200 }, (_, i) => `w${i}`).join(" "), chunkDelayMs: 50 });
    const run = agent("-m", "long one", "--session", "cli-4");
    await t.events.waitFor(
      (e) => e.event === "chat" && e.payload.sessionKey === "agent:main:cli-4" && e.payload.state === "delta",
      10_000,
      "a delta of the cli run",
    );
    await t.gw.kill("SIGKILL");
    const res = await run;
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/connection closed/);
  });
});
