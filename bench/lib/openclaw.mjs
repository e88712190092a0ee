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
 * Waits for a gateway to answer `health` over the WebSocket protocol (a connect it refuses with UNAVAILABLE
 * while starting does not count) and, in parallel, for GET /health to answer 200. Times run from t0.
 */
export async function waitUntilServing({ url, httpUrl, token, proc, t0, timeoutMs, output }) {
  const GatewayClient = await loadGatewayClient();
  let httpHealthMs;
  let done = false;
  const exited = new Promise((_, reject) =>
    proc.once("exit", (code) => {
      if (!done) reject(new Error(`gateway exited with ${code} before serving:\n${output()}`));
    }),
  );
  const httpLoop = (async () => {
    while (!done && httpHealthMs === undefined) {
      if ((await httpStatus(`${httpUrl}/health`)) === 200) httpHealthMs = performance.now() - t0;
      else await sleep(performance.now() - t0 < 1_000 ? 5 : 50);
    }
  })();
  const wsLoop = (async () => {
    const deadline = t0 + timeoutMs;
    while (performance.now() < deadline) {
      try {
        const client = await GatewayClient.connect({ url, ...(token ? { token } : {}), timeoutMs: 5_000 });
        try {
          await client.call("health");
          return performance.now() - t0;
        } finally {
          client.close();
        }
      } catch {
        await sleep(performance.now() - t0 < 1_000 ? 5 : 100);
      }
    }
    throw new Error(`gateway at ${url} did not answer health within ${timeoutMs} ms:\n${output()}`);
  })();
  try {
    const wsHealthMs = await Promise.race([wsLoop, exited]);
    // /health is served before (or with) the WebSocket; give it a moment if its poll is mid-flight.
    await Promise.race([httpLoop, sleep(1_000)]);
    return { wsHealthMs, httpHealthMs };
  } finally {
    done = true;
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
