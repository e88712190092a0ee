import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtocolValidator } from "./frame-validator.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * OpenClaw's own CLI, unmodified, driving a Pincer gateway: the acceptance test of wire compatibility.
 * The peer is installed outside the repo by scripts/openclaw-peer.sh; without it these tests are skipped.
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
/** OpenClaw's CLI loads a large bundle on Node 24: a few seconds per invocation is normal. */
const OPENCLAW_TIMEOUT_MS = 60_000;

const validator = new ProtocolValidator();
let gw: TestGateway | undefined;
let home: string | undefined;

beforeAll(async () => {
  if (!peerInstalled) return;
  gw = await startTestGateway({ config: { gateway: { auth: { token: TOKEN } } }, token: TOKEN });
  home = mkdtempSync(join(tmpdir(), "pincer-openclaw-home-"));
});

afterAll(async () => {
  await gw?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

function openclaw(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(PEER_BIN_DIR, "openclaw"),
      args,
      {
        // A fresh HOME: no OpenClaw config, device identity or paired state can help it along.
        // (OpenClaw still writes its own log under /tmp/openclaw/, whatever HOME is.)
        env: { PATH: `${PEER_BIN_DIR}${delimiter}${process.env.PATH ?? ""}`, HOME: home as string },
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
});
