/**
 * A real OpenClaw gateway as a benchmark peer: installed by `bash scripts/openclaw-peer.sh` into
 * $PINCER_OPENCLAW_PEER_DIR (or ${TMPDIR:-/tmp}/pincer-openclaw-peer), run with its own Node 24 on a fresh HOME.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { httpStatus, loadGatewayClient } from "./pincer.mjs";
import { freePort, sleep, stopProcess } from "./proc.mjs";

export function openClawPeerDir(env = process.env) {
  const dir = env.PINCER_OPENCLAW_PEER_DIR || join(env.TMPDIR || "/tmp", "pincer-openclaw-peer");
  const bin = join(dir, "node_modules/.bin");
  if (!existsSync(join(bin, "openclaw")) || !existsSync(join(bin, "node"))) {
    throw new Error(
      `bench: no OpenClaw peer in ${dir} (node_modules/.bin/openclaw and node missing); run \`bash scripts/openclaw-peer.sh\` ` +
        "or set PINCER_OPENCLAW_PEER_DIR to a folder where it is installed",
    );
  }
  return dir;
}

/** PATH with the peer's Node 24 and openclaw first, as OpenClaw refuses to run on Node 20. */
function peerEnv(peerDir, home) {
  return {
    PATH: `${join(peerDir, "node_modules/.bin")}${delimiter}${process.env.PATH}`,
    HOME: home,
    NO_COLOR: "1",
  };
}

/**
 * Waits for GET /health to answer 200, then for `health` to be answered over the WebSocket protocol (a connect
 * refused with UNAVAILABLE while the gateway starts does not count). Both times run from t0. WebSocket attempts
 * only start once HTTP answers (both share the port), which keeps the prober's own CPU use low while the
 * gateway starts: on a small machine it competes with the gateway for the same cores.
 */
export async function waitUntilServing({ url, httpUrl, token, proc, t0, timeoutMs, output }) {
  const GatewayClient = await loadGatewayClient();
  const deadline = t0 + timeoutMs;
  let exitCode;
  proc.once("exit", (code) => {
    exitCode = code ?? -1;
  });
  const check = () => {
    if (exitCode !== undefined) throw new Error(`gateway exited with ${exitCode} before serving:\n${output()}`);
    if (performance.now() > deadline)
      throw new Error(`gateway at ${url} not serving within ${timeoutMs} ms:\n${output()}`);
  };
  const interval = () => (performance.now() - t0 < 2_000 ? 10 : 100);
  while ((await httpStatus(`${httpUrl}/health`)) !== 200) {
    check();
    await sleep(interval());
  }
  const httpHealthMs = performance.now() - t0;
  for (;;) {
    try {
      const client = await GatewayClient.connect({ url, ...(token ? { token } : {}), timeoutMs: 5_000 });
      try {
        await client.call("health");
        return { httpHealthMs, wsHealthMs: performance.now() - t0 };
      } finally {
        client.close();
      }
    } catch {
      check();
      await sleep(interval());
    }
  }
}

export async function startOpenClaw(peerDir, { timeoutMs = 120_000 } = {}) {
  const home = mkdtempSync(join(tmpdir(), "pincer-bench-openclaw-home-"));
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  let output = "";
  const t0 = performance.now();
  const proc = spawn(
    join(peerDir, "node_modules/.bin/openclaw"),
    ["gateway", "--dev", "--allow-unconfigured", "--port", String(port), "--auth", "token", "--token", token],
    { cwd: home, env: peerEnv(peerDir, home), stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (d) => {
    output = (output + d.toString()).slice(-16_384);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const url = `ws://127.0.0.1:${port}`;
  try {
    const times = await waitUntilServing({
      url,
      httpUrl: `http://127.0.0.1:${port}`,
      token,
      proc,
      t0,
      timeoutMs,
      output: () => output,
    });
    return {
      ...times,
      pid: proc.pid,
      url,
      token,
      home,
      output: () => output,
      async stop() {
        await stopProcess(proc);
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopProcess(proc);
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/** Wall time of `openclaw gateway call health --url … --token … --json`. */
export function openClawCallHealth(peerDir, gw) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(
      join(peerDir, "node_modules/.bin/openclaw"),
      ["gateway", "call", "health", "--url", gw.url, "--token", gw.token, "--json"],
      { cwd: gw.home, env: peerEnv(peerDir, gw.home), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
    });
    proc.stderr.on("data", (d) => {
      out += d;
    });
    proc.once("error", reject);
    proc.once("exit", (code) => {
      if (code !== 0) reject(new Error(`openclaw gateway call health exited with ${code}:\n${out.slice(-2_000)}`));
      else resolve(performance.now() - t0);
    });
  });
}
