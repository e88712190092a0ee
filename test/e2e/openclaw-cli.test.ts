import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeTelegram, startFakeTelegram } from "../fixtures/fake-platforms/telegram.js";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { ProtocolValidator } from "./frame-validator.js";
import type { TestGateway } from "./harness.js";

/**
 * OpenClaw's own CLI, unmodified, driving a Pincer gateway (fake LLM, fake Telegram): the acceptance test of wire
 * compatibility. The peer is installed outside the repo by scripts/openclaw-peer.sh; without it these tests are
 * skipped.
 */

const PEER_DIR = process.env.PINCER_OPENCLAW_PEER_DIR ?? join(process.env.TMPDIR ?? "/tmp", "pincer-openclaw-peer");
const PEER_BIN_DIR = join(PEER_DIR, "node_modules", ".bin");
const peerInstalled = existsSync(join(PEER_BIN_DIR, "openclaw"));
if (!peerInstalled) {
  console.warn(
    `skipping OpenClaw CLI tests: ${join(PEER_BIN_DIR, "openclaw")} is missing; run \`bash scripts/openclaw-peer.sh\` (or set PINCER_OPENCLAW_PEER_DIR)`,
  );
}

const TOKEN = "openclaw-cli-token-91b2";
const BOT = "321:openclaw-cli";
/** OpenClaw's CLI loads a large bundle on Node 24: a few seconds per invocation is normal. */
const OPENCLAW_TIMEOUT_MS = 60_000;

const validator = new ProtocolValidator();
let t: AgentGateway | undefined;
let gw: TestGateway | undefined;
let tg: FakeTelegram | undefined;
/** A fresh HOME: no OpenClaw config, device identity or paired state can help it along. */
let home: string | undefined;
/** A HOME whose openclaw.json points OpenClaw at Pincer as its remote gateway (how users set it up). */
let remoteHome: string | undefined;

beforeAll(async () => {
  if (!peerInstalled) return;
  tg = await startFakeTelegram();
  tg.addBot(BOT, "pincer_openclaw_cli_bot");
  const apiRoot = tg.apiRoot;
  t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake),
      gateway: { auth: { token: TOKEN } },
      channels: {
        telegram: {
          apiRoot,
          pollTimeoutSeconds: 5,
          botToken: BOT,
          dmPolicy: "open",
        },
      },
    }),
    { token: TOKEN },
  );
  gw = t.gw;
  home = mkdtempSync(join(tmpdir(), "pincer-openclaw-home-"));
  remoteHome = mkdtempSync(join(tmpdir(), "pincer-openclaw-remote-"));
  mkdirSync(join(remoteHome, ".openclaw"));
  writeFileSync(
    join(remoteHome, ".openclaw", "openclaw.json"),
    JSON.stringify({ gateway: { mode: "remote", remote: { url: gw.url, token: TOKEN } } }),
  );
}, 60_000);

afterAll(async () => {
  await t?.close();
  await tg?.close();
  for (const dir of [home, remoteHome]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function openclaw(
  args: string[],
  homeDir = home as string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(PEER_BIN_DIR, "openclaw"),
      args,
      {
        // (OpenClaw still writes its own log under /tmp/openclaw/, whatever HOME is.)
        env: { PATH: `${PEER_BIN_DIR}${delimiter}${process.env.PATH ?? ""}`, HOME: homeDir },
        timeout: OPENCLAW_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function callArgs(method: string, token = TOKEN): string[] {
  return ["gateway", "call", method, "--url", (gw as TestGateway).url, "--token", token, "--json"];
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} did not print JSON:\n${text}`);
  }
}

describe.skipIf(!peerInstalled)("OpenClaw CLI against Pincer", () => {
  it(
    "`openclaw gateway call health` exits 0 with a conforming health snapshot",
    async () => {
      const { code, stdout, stderr } = await openclaw(callArgs("health"));
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const health = parseJson(stdout, "openclaw gateway call health");
      expect(health.ok).toBe(true);
      validator.assert("Snapshot/properties/health", health, "health as OpenClaw printed it");
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw gateway call status` exits 0 with Pincer's status",
    async () => {
      const { code, stdout, stderr } = await openclaw(callArgs("status"));
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const status = parseJson(stdout, "openclaw gateway call status");
      expect(status).toMatchObject({ ok: true, gateway: { port: gw?.port, authMode: "token" } });
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw gateway probe` reaches Pincer, authenticates and completes its read probe",
    async () => {
      const url = (gw as TestGateway).url;
      const { code, stdout, stderr } = await openclaw(["gateway", "probe", "--url", url, "--token", TOKEN, "--json"]);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const probe = parseJson(stdout, "openclaw gateway probe") as {
        ok: boolean;
        targets: { url: string; connect: { ok: boolean; rpcOk: boolean; error: unknown }; health?: unknown }[];
      };
      expect(probe.ok).toBe(true);
      const explicit = probe.targets.find((t) => t.url === url);
      expect(explicit?.connect).toMatchObject({ ok: true, rpcOk: true, error: null });
      expect(explicit?.health).toMatchObject({ ok: true });
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "a wrong token makes OpenClaw's CLI fail with Pincer's UNAUTHORIZED / AUTH_TOKEN_MISMATCH",
    async () => {
      const { code, stdout, stderr } = await openclaw(callArgs("health", "wrong-token"));
      expect(code).not.toBe(0);
      const output = `${stdout}\n${stderr}`;
      expect(output).toContain("UNAUTHORIZED");
      expect(output).toContain("AUTH_TOKEN_MISMATCH");
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw cron add`, `cron list` and `cron run` manage Pincer's cron jobs",
    async () => {
      const empty = await openclaw(["cron", "list"], remoteHome);
      expect(empty.code, `stderr:\n${empty.stderr}\nstdout:\n${empty.stdout}`).toBe(0);
      expect(empty.stdout).toContain("No automations.");

      const added = await openclaw(
        [
          "cron",
          "add",
          "--name",
          "nightly",
          "--every",
          "1h",
          "--message",
          "summarize the day",
          "--session",
          "isolated",
        ],
        remoteHome,
      );
      expect(added.code, `stderr:\n${added.stderr}\nstdout:\n${added.stdout}`).toBe(0);
      const job = parseJson(added.stdout.slice(added.stdout.indexOf("{")), "openclaw cron add") as { id: string };
      validator.assert("CronAddResult", job, "cron add as OpenClaw printed it");

      const listed = await openclaw(["cron", "list", "--json"], remoteHome);
      expect(listed.code, `stderr:\n${listed.stderr}\nstdout:\n${listed.stdout}`).toBe(0);
      const page = parseJson(listed.stdout, "openclaw cron list --json") as { jobs: { id: string; name: string }[] };
      expect(page.jobs).toEqual([expect.objectContaining({ id: job.id, name: "nightly" })]);

      const ran = await openclaw(["cron", "run", job.id], remoteHome);
      expect(ran.code, `stderr:\n${ran.stderr}\nstdout:\n${ran.stdout}`).toBe(0);
      expect(parseJson(ran.stdout, "openclaw cron run")).toMatchObject({ ok: true, enqueued: true });
    },
    OPENCLAW_TIMEOUT_MS * 4,
  );

  it(
    "`openclaw system event` wakes Pincer's main session",
    async () => {
      const before = (t as AgentGateway).fake.requests.length;
      const { code, stdout, stderr } = await openclaw(
        ["system", "event", "--text", "build 42 is green", "--mode", "now", "--json"],
        remoteHome,
      );
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      expect(parseJson(stdout, "openclaw system event")).toMatchObject({ ok: true });
      const fake = (t as AgentGateway).fake;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !fake.requests.slice(before).some((r) => r.lastUserText.includes("build 42"))) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(fake.requests.slice(before).map((r) => r.lastUserText)).toContainEqual(
        expect.stringContaining("build 42 is green"),
      );
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw message send` delivers through Pincer's Telegram account",
    async () => {
      const { code, stdout, stderr } = await openclaw(
        ["message", "send", "--channel", "telegram", "--target", "5150", "--message", "hi from openclaw"],
        remoteHome,
      );
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const sent = await (tg as FakeTelegram).calls.waitFor(
        (c) => c.method === "sendMessage" && String(c.params.chat_id) === "5150",
      );
      expect(sent[0]?.params.text).toBe("hi from openclaw");
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw message react|edit|delete` act on a message Pincer sent",
    async () => {
      const send = await openclaw(
        ["message", "send", "--channel", "telegram", "--target", "6160", "--message", "draft", "--json"],
        remoteHome,
      );
      expect(send.code, `stderr:\n${send.stderr}\nstdout:\n${send.stdout}`).toBe(0);
      const { messageId } = parseJson(send.stdout, "openclaw message send --json") as { messageId: string };
      expect(messageId).toMatch(/^6160:\d+$/);
      const ref = ["--channel", "telegram", "--target", "6160", "--message-id", messageId, "--json"];
      for (const args of [
        ["message", "react", ...ref, "--emoji", "👍"],
        ["message", "edit", ...ref, "--message", "final"],
        ["message", "delete", ...ref],
      ]) {
        const { code, stdout, stderr } = await openclaw(args, remoteHome);
        expect(code, `${args.join(" ")}\nstderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
        expect(parseJson(stdout, args.join(" "))).toMatchObject({ payload: { ok: true, messageId } });
      }
      const messageNumber = Number(messageId.split(":")[1]);
      for (const method of ["setMessageReaction", "editMessageText", "deleteMessage"]) {
        await (tg as FakeTelegram).calls.waitFor((c) => c.method === method && c.params.message_id === messageNumber);
      }
    },
    OPENCLAW_TIMEOUT_MS * 4,
  );

  it(
    "`openclaw agent --message` prints the assistant's reply from Pincer's run, and `--deliver` sends it on",
    async () => {
      const { code, stdout, stderr } = await openclaw(
        ["agent", "--message", "hello from openclaw", "--session-id", "main"],
        remoteHome,
      );
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      expect(stdout).toContain("echo: hello from openclaw");

      const json = await openclaw(["agent", "--message", "again", "--session-id", "main", "--json"], remoteHome);
      expect(json.code, `stderr:\n${json.stderr}\nstdout:\n${json.stdout}`).toBe(0);
      expect(parseJson(json.stdout, "openclaw agent --json")).toMatchObject({
        status: "ok",
        summary: "completed",
        result: { payloads: [{ text: "echo: again" }] },
      });

      const delivered = await openclaw(
        ["agent", "--message", "pass it on", "--session-id", "main", "--deliver", "--reply-channel", "telegram"].concat(
          ["--reply-to", "7070", "--json"],
        ),
        remoteHome,
      );
      expect(delivered.code, `stderr:\n${delivered.stderr}\nstdout:\n${delivered.stdout}`).toBe(0);
      expect(parseJson(delivered.stdout, "openclaw agent --deliver --json")).toMatchObject({
        status: "ok",
        deliveryStatus: { status: "sent", channel: "telegram", to: "7070" },
      });
      const [sent] = await (tg as FakeTelegram).calls.waitFor(
        (c) => c.method === "sendMessage" && String(c.params.chat_id) === "7070",
      );
      expect(sent?.params.text).toBe("echo: pass it on");
    },
    OPENCLAW_TIMEOUT_MS * 2,
  );

  it(
    "`openclaw models list` reads Pincer's model catalog",
    async () => {
      const { code, stdout, stderr } = await openclaw(["models", "list", "--json"], remoteHome);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const listed = parseJson(stdout, "openclaw models list --json") as { models: { key: string }[] };
      expect(listed.models).toContainEqual(expect.objectContaining({ key: "fake/fake-model" }));
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw status --json` reads Pincer's status summary",
    async () => {
      const { code, stdout, stderr } = await openclaw(["status", "--json"], remoteHome);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      const status = parseJson(stdout, "openclaw status --json") as {
        sessions: { count: number; byAgent: { agentId: string }[] };
        agents: { agents: { id: string }[] };
        heartbeat: { agents: { agentId: string; enabled: boolean; every: string }[] };
      };
      expect(status.sessions.byAgent.map((a) => a.agentId)).toEqual(["main"]);
      expect(status.sessions.count).toBeGreaterThan(0);
      expect(status.agents.agents.map((a) => a.id)).toEqual(["main"]);
      expect(status.heartbeat.agents).toEqual([expect.objectContaining({ agentId: "main", enabled: true })]);
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw logs` shows Pincer's log lines with their time, level and message",
    async () => {
      const { code, stdout, stderr } = await openclaw(["logs", "--limit", "200", "--plain"], remoteHome);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      expect(stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\S* info gateway listening$/m);
    },
    OPENCLAW_TIMEOUT_MS,
  );

  it(
    "`openclaw health` prints Pincer's agents, heartbeat and session store",
    async () => {
      const { code, stdout, stderr } = await openclaw(["health"], remoteHome);
      expect(code, `stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
      expect(stdout).toContain("Agents: main (default)");
      const store = /Session store \(main\): (\S+) \((\d+) entries\)/.exec(stdout);
      expect(store?.[1]).toBe(join(t?.gw.stateDir ?? "", "agents", "main", "sessions"));
      expect(Number(store?.[2])).toBeGreaterThan(0);
    },
    OPENCLAW_TIMEOUT_MS,
  );
});
