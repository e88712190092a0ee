import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PINCER_BIN, startTestGateway, type TestGateway } from "./harness.js";

/**
 * The `pincer` binary as a user runs it: against a running gateway (call, status, logs), and the ways
 * `pincer gateway` refuses to start (bad flags, unsafe bind, an $include escaping the config folder).
 */

const TOKEN = "cli-token-5ec7";
let gw: TestGateway;
/** A state dir for the CLI itself, so it never reads the developer's ~/.pincer. */
let cliHome: string;

beforeAll(async () => {
  gw = await startTestGateway({ config: { gateway: { auth: { token: TOKEN } } }, token: TOKEN });
  cliHome = mkdtempSync(join(tmpdir(), "pincer-cli-e2e-"));
});

afterAll(async () => {
  await gw?.cleanup();
  if (cliHome) rmSync(cliHome, { recursive: true, force: true });
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runPincer(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [PINCER_BIN, ...args],
      {
        env: { PATH: process.env.PATH, HOME: cliHome, PINCER_STATE_DIR: cliHome, NODE_ENV: "test", ...env },
        timeout: timeoutMs,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const target = () => ["--url", gw.url, "--token", TOKEN];

describe("pincer against a running gateway", () => {
  it("--help lists every command group", async () => {
    const { code, stdout } = await runPincer(["--help"]);
    expect(code).toBe(0);
    for (const cmd of ["gateway", "agent", "status", "logs", "config", "sessions", "models"]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, "m"));
    }
  });

  it("gateway call health --json prints the health payload as one JSON line", async () => {
    const { code, stdout, stderr } = await runPincer(["gateway", "call", "health", "--json", ...target()]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, defaultAgentId: "main" });
  });

  it("gateway call passes --params to the method", async () => {
    const { code, stdout } = await runPincer([
      "gateway",
      "call",
      "logs.tail",
      "--params",
      '{"limit":1}',
      "--json",
      ...target(),
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).lines).toHaveLength(1);
  });

  it("gateway call of an unknown method exits 1 with UNKNOWN_METHOD", async () => {
    const { code, stdout, stderr } = await runPincer(["gateway", "call", "nosuch", ...target()]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("UNKNOWN_METHOD");
    expect(stderr).toContain("nosuch");
  });

  it("gateway call with --params that is not JSON exits 1 naming --params", async () => {
    const { code, stderr } = await runPincer(["gateway", "call", "health", "--params", "{bad", ...target()]);
    expect(code).toBe(1);
    expect(stderr).toContain("--params");
  });

  it("gateway call with a wrong token exits 1 with UNAUTHORIZED", async () => {
    const { code, stderr } = await runPincer(["gateway", "call", "health", "--url", gw.url, "--token", "nope"]);
    expect(code).toBe(1);
    expect(stderr).toContain("UNAUTHORIZED");
    expect(stderr).not.toContain(TOKEN);
  });

  it("gateway call with nothing listening exits 1 saying the gateway is unreachable", async () => {
    const port = await freePort();
    const { code, stderr } = await runPincer(["gateway", "call", "health", "--url", `ws://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stderr).toContain("UNAVAILABLE");
    expect(stderr).toContain(`127.0.0.1:${port}`);
  });

  it("status prints a summary, taking the target from PINCER_GATEWAY_URL / PINCER_GATEWAY_TOKEN", async () => {
    const env = { PINCER_GATEWAY_URL: gw.url, PINCER_GATEWAY_TOKEN: TOKEN };
    const text = await runPincer(["status"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`ws://127.0.0.1:${gw.port}`);
    expect(text.stdout).toContain("auth token");
    const json = await runPincer(["status", "--json"], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, gateway: { port: gw.port, authMode: "token" } });
  });

  it("logs prints the gateway log as JSON lines", async () => {
    const { code, stdout } = await runPincer(["logs", "--limit", "50", ...target()]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((l) => JSON.parse(l) as { message?: string; level?: string; time?: string });
    expect(records.some((r) => r.message === "gateway listening" && r.level === "info")).toBe(true);
    expect(records.every((r) => typeof r.time === "string" && !Number.isNaN(Date.parse(r.time)))).toBe(true);
    expect(stdout).not.toContain(TOKEN);
  });
});

describe("pincer gateway refuses to start", () => {
  function freshStateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "pincer-refuse-"));
    return dir;
  }

  it("with --port that is not a port, naming --port", async () => {
    const { code, stderr } = await runPincer(["gateway", "--port", "notaport"]);
    expect(code).toBe(1);
    expect(stderr).toContain("--port");
    expect(stderr).toContain("notaport");
  });

  it("on a non-loopback bind (--bind lan) without auth, saying auth is needed", async () => {
    const dir = freshStateDir();
    try {
      const port = await freePort();
      const { code, stderr } = await runPincer(["gateway", "--bind", "lan", "--port", String(port)], {
        HOME: dir,
        PINCER_STATE_DIR: dir,
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/auth/);
      expect(stderr).toContain("0.0.0.0");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("when an $include escapes the config folder, naming the file and the rule", async () => {
    const root = freshStateDir();
    try {
      const state = join(root, "state");
      mkdirSync(state);
      writeFileSync(join(root, "outside.json5"), "{ logging: { level: 'debug' } }");
      writeFileSync(join(state, "pincer.json"), JSON.stringify({ $include: "../outside.json5" }));
      const port = await freePort();
      const { code, stdout, stderr } = await runPincer(["gateway", "--port", String(port)], {
        HOME: state,
        PINCER_STATE_DIR: state,
      });
      expect(code).toBe(1);
      expect(stdout).not.toContain("listening");
      expect(stderr).toContain("CONFIG_INVALID");
      expect(stderr).toContain("outside the config folder");
      expect(stderr).toContain("../outside.json5");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
