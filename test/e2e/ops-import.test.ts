import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm/index.js";
import { textOf } from "./agent-gateway.js";
import { freePort, PINCER_BIN, startTestGateway, type TestGateway } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: reports and wire payloads are read ad hoc by assertions.
type Any = any;

/**
 * `pincer import openclaw` on a state folder the real OpenClaw wrote: onboarding, a conversation, cron jobs made
 * through its gateway, an allowlist set with its CLI and a skill in its workspace. The peer is installed by
 * scripts/openclaw-peer.sh; without it this file is skipped.
 */
const PEER_DIR = process.env.PINCER_OPENCLAW_PEER_DIR ?? join(process.env.TMPDIR ?? "/tmp", "pincer-openclaw-peer");
const PEER_BIN = join(PEER_DIR, "node_modules", ".bin");
const peerInstalled = existsSync(join(PEER_BIN, "openclaw"));
if (!peerInstalled) {
  console.warn(
    `skipping OpenClaw import tests: ${join(PEER_BIN, "openclaw")} is missing; run \`bash scripts/openclaw-peer.sh\` (or set PINCER_OPENCLAW_PEER_DIR)`,
  );
}

const OC_TOKEN = "oc-import-token-5f2d8a91c3b7e6d4";
const OC_KEY = "sk-openclaw-import-test-key";
let fake: FakeLlm;
let ocHome: string;
let pincerState: string;
let gw: TestGateway | undefined;

/** Runs the OpenClaw CLI without blocking this process, whose event loop serves the fake LLM it calls. */
function openclaw(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(join(PEER_BIN, "openclaw"), args, {
      env: { PATH: `${PEER_BIN}${delimiter}${process.env.PATH ?? ""}`, HOME: ocHome, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout?.on("data", (d) => (out += d.toString()));
    proc.stderr?.on("data", (d) => (out += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`openclaw ${args.join(" ")} failed (${code}):\n${out}`));
    });
  });
}

/** Runs the OpenClaw gateway just long enough for `openclaw cron add`, which needs it. */
async function withOpenClawGateway(fn: (port: number) => Promise<void>): Promise<void> {
  const port = await freePort();
  const proc: ChildProcess = spawn(
    join(PEER_BIN, "openclaw"),
    ["gateway", "--port", String(port), "--token", OC_TOKEN],
    {
      env: { PATH: `${PEER_BIN}${delimiter}${process.env.PATH ?? ""}`, HOME: ocHome, NO_COLOR: "1" },
      stdio: "ignore",
      detached: true,
    },
  );
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await fn(port);
        return;
      } catch (err) {
        if (!/not reachable|ECONNREFUSED|UNAVAILABLE|closed/i.test((err as Error).message) || Date.now() > deadline)
          throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  } finally {
    // Its graceful shutdown drains for minutes; this throwaway gateway (and its workers) can just go.
    if (proc.pid) process.kill(-proc.pid, "SIGKILL");
  }
}

const pincer = (...args: string[]) =>
  spawnSync(process.execPath, [PINCER_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: pincerState, PINCER_STATE_DIR: pincerState },
    encoding: "utf8",
  });

beforeAll(async () => {
  if (!peerInstalled) return;
  fake = await startFakeLlm();
  ocHome = mkdtempSync(join(tmpdir(), "pincer-e2e-ochome-"));
  pincerState = mkdtempSync(join(tmpdir(), "pincer-e2e-imported-"));
  rmSync(pincerState, { recursive: true });
  await openclaw([
    "onboard",
    "--non-interactive",
    "--accept-risk",
    "--mode",
    "local",
    "--auth-choice",
    "custom-api-key",
    "--custom-base-url",
    fake.openaiBaseUrl,
    "--custom-model-id",
    "fake-model",
    "--custom-api-key",
    OC_KEY,
    "--custom-provider-id",
    "fakeprov",
    "--gateway-auth",
    "token",
    "--gateway-token",
    OC_TOKEN,
    "--no-install-daemon",
    "--skip-channels",
    "--skip-skills",
    "--skip-health",
  ]);
  fake.enqueue({ text: "Hello from the OpenClaw days." });
  await openclaw(["agent", "--local", "--message", "remember the green kite", "--session-key", "agent:main:main"]);
  await openclaw([
    "config",
    "set",
    "channels.telegram",
    JSON.stringify({
      botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcd",
      allowFrom: ["111222333"],
      dmPolicy: "allowlist",
    }),
  ]);
  const skill = join(ocHome, ".openclaw", "workspace", "skills", "kite-care");
  mkdirSync(skill, { recursive: true });
  writeFileSync(
    join(skill, "SKILL.md"),
    "---\nname: kite-care\ndescription: How to fold a kite.\n---\nFold it along the spine.\n",
  );
  await withOpenClawGateway(async (port) => {
    const common = ["--port", String(port), "--token", OC_TOKEN, "--json"];
    await openclaw(
      [
        "cron",
        "add",
        "--name",
        "morning brief",
        "--cron",
        "0 9 * * *",
        "--tz",
        "Europe/Paris",
        "--message",
        "Summarize my inbox",
        ...common,
      ],
      60_000,
    );
    await openclaw(
      [
        "cron",
        "add",
        "--name",
        "queue check",
        "--every",
        "1h",
        "--system-event",
        "check the queue",
        "--session",
        "main",
        ...common,
      ],
      60_000,
    );
  });
}, 240_000);

afterAll(async () => {
  await gw?.cleanup();
  await fake?.close();
  if (ocHome) rmSync(ocHome, { recursive: true, force: true });
  if (pincerState) rmSync(pincerState, { recursive: true, force: true });
});

describe.skipIf(!peerInstalled)("pincer import openclaw", () => {
  it("refuses a folder without an OpenClaw config", () => {
    const run = pincer("import", "openclaw", join(ocHome, "nowhere"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/NOT_FOUND: no OpenClaw config at .*openclaw\.json/);
  });

  it("carries config, workspace, skills, cron jobs, allowlists and the conversation over, and reports the rest", () => {
    const run = pincer("import", "openclaw", join(ocHome, ".openclaw"), "--json");
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const count = (what: string) => report.carried.find((c: Any) => c.what === what)?.count;
    expect(count("sessions")).toBe(1);
    expect(count("cron jobs")).toBe(2);
    expect(count("skills (scanned)")).toBe(1);
    expect(count("secrets moved into the encrypted vault")).toBe(3);
    expect(report.notCarried.map((n: Any) => n.what)).toEqual(
      expect.arrayContaining(["config gateway.tailscale", 'cron job "heartbeat-main"']),
    );

    const config = JSON.parse(readFileSync(join(pincerState, "pincer.json"), "utf8"));
    expect(config.models.providers.fakeprov).toMatchObject({
      baseUrl: fake.openaiBaseUrl,
      apiKey: { source: "vault", id: "models.providers.fakeprov.apiKey" },
    });
    expect(config.channels.telegram).toMatchObject({ allowFrom: ["111222333"], dmPolicy: "allowlist" });
    expect(readFileSync(join(pincerState, "pincer.json"), "utf8")).not.toContain(OC_KEY);
    expect(existsSync(join(pincerState, "workspace", "SOUL.md"))).toBe(true);
    const jobs = JSON.parse(readFileSync(join(pincerState, "cron", "jobs.json"), "utf8")).jobs;
    expect(jobs.map((j: Any) => [j.name, j.schedule.kind, j.payload.kind])).toEqual([
      ["morning brief", "cron", "agentTurn"],
      ["queue check", "every", "systemEvent"],
    ]);
    const audit = JSON.parse(pincer("security", "audit", "--json").stdout);
    expect(audit.findings.filter((f: Any) => f.id === "security.skill-unscanned")).toEqual([]);

    const again = pincer("import", "openclaw", join(ocHome, ".openclaw"));
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/CONFLICT: .*pincer\.json already exists: pass --force/);
  });

  it("a gateway on the imported state continues the OpenClaw conversation with the vaulted key", async () => {
    gw = await startTestGateway({ stateDir: pincerState, token: OC_TOKEN });
    const client = await gw.client();
    try {
      fake.reset();
      const ack = await client.call<Any>("chat.send", {
        sessionKey: "main",
        message: "what did I ask you to remember?",
        idempotencyKey: "imp-1",
      });
      await client.call("agent.wait", { runId: ack.runId, timeoutMs: 15_000 });
      expect(fake.requests[0]?.apiKey).toBe(OC_KEY);
      expect(JSON.stringify(fake.requests[0]?.body.messages)).toContain("remember the green kite");
      const history = await client.call<Any>("chat.history", { sessionKey: "main" });
      expect(textOf(history.messages[0])).toContain("remember the green kite");
      expect(history.messages[1]).toMatchObject({ role: "assistant", provider: "fakeprov", model: "fake-model" });
      expect(history.messages.at(-1).role).toBe("assistant");
    } finally {
      client.close();
    }
  });
});
