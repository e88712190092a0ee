/** Starting the real `pincer gateway` process (the built dist) for benchmarks, and talking to it. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cpuTimeMs, freePort, sleep, stopProcess } from "./proc.mjs";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PINCER_BIN = join(REPO_ROOT, "bin/pincer.js");

/** The benchmarks run the built gateway, as users do; a stale or missing dist would measure the wrong thing. */
export function assertBuilt() {
  if (!existsSync(join(REPO_ROOT, "dist/cli/main.js"))) {
    throw new Error(`bench: ${join(REPO_ROOT, "dist")} is missing; run \`npm run build\` first`);
  }
}

/** GatewayClient from the built dist: the client the CLI itself uses. */
export async function loadGatewayClient() {
  assertBuilt();
  const mod = await import(pathToFileURL(join(REPO_ROOT, "dist/gateway/client.js")).href);
  return mod.GatewayClient;
}

/** GET a loopback URL; resolves with the status code, or 0 when nothing listens yet. */
export function httpStatus(url) {
  return new Promise((resolve) => {
    const req = get(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.setTimeout(2_000, () => req.destroy());
  });
}

export function makeStateDir(config) {
  const stateDir = mkdtempSync(join(tmpdir(), "pincer-bench-"));
  if (config) writeFileSync(join(stateDir, "pincer.json"), JSON.stringify(config, null, 2));
  return stateDir;
}

/** Output kept for error messages; a long benchmark's log lines must not pile up in the bench process. */
const OUTPUT_TAIL_CHARS = 16_384;
const keepTail = (text) => (text.length > OUTPUT_TAIL_CHARS ? text.slice(-OUTPUT_TAIL_CHARS) : text);

/**
 * Spawns `node bin/pincer.js gateway --port P` on a fresh state dir and resolves once /readyz answers 200.
 * readyMs runs from just before spawn to that 200. /readyz is polled every pollMs and also at once whenever
 * the gateway writes output (it prints its URL as it becomes ready), so the figure is not rounded up to the
 * poll interval. nodeArgs go to node itself (e.g. --cpu-prof, which NODE_OPTIONS refuses).
 */
export async function startPincer({
  config,
  stateDir,
  env = {},
  args = [],
  nodeArgs = [],
  pollMs = 10,
  timeoutMs = 30_000,
} = {}) {
  assertBuilt();
  const dir = stateDir ?? makeStateDir(config);
  const ownsDir = stateDir === undefined;
  const port = await freePort();
  let output = "";
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...nodeArgs, PINCER_BIN, "gateway", "--port", String(port), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, PINCER_STATE_DIR: dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const readyUrl = `http://127.0.0.1:${port}/readyz`;
  let readyMs;
  let readyCpuMs;
  await new Promise((resolve, reject) => {
    let probing = false;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(deadline);
      proc.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    };
    const probe = async () => {
      if (probing || done) return;
      probing = true;
      const status = await httpStatus(readyUrl);
      probing = false;
      if (status === 200) {
        readyMs = performance.now() - t0;
        readyCpuMs = cpuTimeMs(proc.pid);
        finish();
      }
    };
    const onOutput = (d) => {
      output = keepTail(output + d.toString());
      void probe();
    };
    const onExit = (code) => finish(new Error(`pincer gateway exited with ${code} before ready:\n${output}`));
    proc.stdout.on("data", onOutput);
    proc.stderr.on("data", onOutput);
    proc.once("exit", onExit);
    const poll = setInterval(probe, pollMs);
    const deadline = setTimeout(
      () => finish(new Error(`pincer gateway not ready within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
  });
  return {
    proc,
    pid: proc.pid,
    port,
    url: `ws://127.0.0.1:${port}`,
    stateDir: dir,
    readyMs,
    /** CPU time (user + system) the gateway had used when it was ready: unlike readyMs, barely moved by other load. */
    readyCpuMs,
    output: () => output,
    async stop() {
      await stopProcess(proc);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `node bin/pincer.js …args` to completion; resolves with its wall time in ms and its output. */
export function runPincerCli(args, { env = {}, cwd = REPO_ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, [PINCER_BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
    });
    proc.stderr.on("data", (d) => {
      stderr += d;
    });
    proc.once("error", reject);
    proc.once("exit", (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`pincer ${args.join(" ")} exited with ${code}:\n${stderr}${stdout}`));
      else resolve({ wallMs, stdout, stderr });
    });
  });
}

export { sleep };
