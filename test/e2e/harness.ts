import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ClientOptions, GatewayClient } from "../../src/gateway/client.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const PINCER_BIN = join(REPO_ROOT, "bin/pincer.js");

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface TestGateway {
  port: number;
  url: string;
  httpUrl: string;
  stateDir: string;
  proc: ChildProcess;
  output: () => string;
  client(opts?: Partial<ClientOptions>): Promise<GatewayClient>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** Send a signal (e.g. SIGKILL) and wait for exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Start again on the same state dir and port (after stop/kill). */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface TestGatewayOptions {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  args?: string[];
  stateDir?: string;
  token?: string;
}

/** Runs the real `pincer gateway` process (built dist) on a temp state dir and a free loopback port. */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "pincer-e2e-"));
  if (opts.config) writeFileSync(join(stateDir, "pincer.json"), JSON.stringify(opts.config, null, 2));
  const port = await freePort();
  let proc!: ChildProcess;
  let out = "";
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: stateDir,
    PINCER_STATE_DIR: stateDir,
    NODE_ENV: "test",
    ...opts.env,
  };
  const launch = async () => {
    out = "";
    proc = spawn(process.execPath, [PINCER_BIN, "gateway", "--port", String(port), ...(opts.args ?? [])], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout?.on("data", (d) => {
      out += d.toString();
    });
    proc.stderr?.on("data", (d) => {
      out += d.toString();
    });
    await waitReady(`http://127.0.0.1:${port}/readyz`, proc, () => out);
  };
  await launch();
  const exited = () =>
    new Promise<number | null>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) res(proc.exitCode);
      else proc.once("exit", (code) => res(code));
    });
  const gw: TestGateway = {
    port,
    url: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    stateDir,
    get proc() {
      return proc;
    },
    output: () => out,
    client: (c = {}) =>
      GatewayClient.connect({ url: `ws://127.0.0.1:${port}`, ...(opts.token ? { token: opts.token } : {}), ...c }),
    async stop() {
      proc.kill("SIGTERM");
      return exited();
    },
    async kill(signal) {
      proc.kill(signal);
      await exited();
    },
    restart: launch,
    async cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGKILL");
        await exited();
      }
      if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return gw;
}

async function waitReady(url: string, proc: ChildProcess, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode} before ready:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gateway not ready within ${timeoutMs} ms:\n${output()}`);
}
