import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../config/schema.js";
import { BwrapBackend } from "./bwrap.js";
import { DockerBackend, dockerEngineAvailable, dockerRunArgs } from "./docker.js";
import { isSandboxedSession, resolveSandboxPlan, type SandboxPlan } from "./plan.js";
import { RunningProcess } from "./run-process.js";

const HAVE_BWRAP = existsSync("/usr/bin/bwrap");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-sbx-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (over: Partial<SandboxPlan> = {}): SandboxPlan => ({
  backend: "bwrap",
  id: `test-${Math.random().toString(16).slice(2, 8)}`,
  hostWorkspace: join(dir, "ws"),
  workspaceAccess: "none",
  network: "none",
  pidsLimit: 64,
  memoryMb: 1024,
  fileSizeMb: 1,
  docker: { image: "debian:bookworm-slim", containerPrefix: "pincer-test-" },
  ...over,
});

async function run(p: SandboxPlan, command: string): Promise<{ out: string; code: number | null }> {
  const prepared = await new BwrapBackend(p).prepare({ command, cwd: "/workspace", env: {}, timeoutMs: 10_000 });
  const proc = new RunningProcess({ ...prepared, timeoutMs: 10_000, maxOutputChars: 10_000 });
  const exit = await proc.done;
  return { out: proc.output.text(), code: exit.exitCode };
}

describe("which sessions are sandboxed", () => {
  const cfg = (sandbox: Record<string, unknown>) => PincerConfigSchema.parse({ agents: { defaults: { sandbox } } });
  it.each([
    [{}, "main", false],
    [{}, "agent:main:main", false],
    [{}, "telegram:group:1", true],
    [{}, "agent:main:telegram:direct:42", true],
    [{ mode: "off" }, "telegram:group:1", false],
    [{ mode: "all" }, "main", true],
  ])("%j %s → %s", (sandbox, key, expected) => {
    expect(isSandboxedSession(cfg(sandbox), "main", key)).toBe(expected);
  });

  it("scopes sandboxes per session, per agent or shared, with a private workspace for access none", () => {
    const inputs = (scope: string, key: string) =>
      resolveSandboxPlan({
        config: cfg({ scope }),
        stateDir: "/state",
        agentId: "main",
        agentWorkspace: "/ws",
        sessionKey: key,
      });
    expect(inputs("session", "a:group:1")?.id).not.toBe(inputs("session", "a:group:2")?.id);
    expect(inputs("agent", "a:group:1")?.id).toBe("agent-main");
    expect(inputs("shared", "a:group:1")?.hostWorkspace).toBe("/state/sandboxes/shared");
    const rw = resolveSandboxPlan({
      config: cfg({ workspaceAccess: "rw" }),
      stateDir: "/state",
      agentId: "main",
      agentWorkspace: "/ws",
      sessionKey: "a:group:1",
    });
    expect(rw?.hostWorkspace).toBe("/ws");
  });
});

describe.skipIf(!HAVE_BWRAP)("bwrap backend", () => {
  it("hides the host's home and state, keeps /tmp private, and limits file size", async () => {
    writeFileSync(join(dir, "host-secret"), "secret");
    const r = await run(
      plan(),
      `cat ${join(dir, "host-secret")} 2>&1; echo tmp > /tmp/x; ls /tmp; head -c 2000000 /dev/zero > big 2>&1; echo code=$?`,
    );
    expect(r.out).toMatch(/No such file or directory/);
    expect(r.out).toContain("x");
    expect(r.out).toMatch(/code=1|File size limit/);
    expect(existsSync("/tmp/x") && readFileSync("/tmp/x", "utf8") === "tmp\n").toBe(false);
  });

  it("mounts the workspace read-only for workspaceAccess ro", async () => {
    const ws = join(dir, "ro-ws");
    const p = plan({ workspaceAccess: "ro", hostWorkspace: ws });
    await new BwrapBackend(p).prepare({ command: "true", cwd: "/workspace", env: {}, timeoutMs: 1000 });
    writeFileSync(join(ws, "readme.txt"), "read me");
    const r = await run(p, "cat readme.txt; echo nope > new.txt 2>&1; echo code=$?");
    expect(r.out).toContain("read me");
    expect(r.out).toMatch(/Read-only file system/);
    expect(existsSync(join(ws, "new.txt"))).toBe(false);
  });

  it("shares the host network only for network host", async () => {
    const r = await run(plan({ network: "host" }), "cat /proc/net/dev | wc -l");
    const none = await run(plan(), "cat /proc/net/dev | wc -l");
    expect(Number(r.out.trim())).toBeGreaterThanOrEqual(Number(none.out.trim()));
    expect(Number(none.out.trim())).toBe(3);
  });
});

describe("docker backend", () => {
  it("runs containers with the same policy as bwrap", () => {
    const args = dockerRunArgs(plan({ backend: "docker", workspaceAccess: "ro" }), "pincer-test-x");
    expect(args).toEqual(
      expect.arrayContaining(["--network", "none", "--pids-limit", "64", "--cap-drop", "ALL", "--read-only"]),
    );
    expect(args).toContain(`${join(dir, "ws")}:/workspace:ro`);
    expect(dockerRunArgs(plan({ network: "host" }), "n")).toEqual(expect.arrayContaining(["--network", "host"]));
  });

  it("runs a command in a container when a Docker engine answers (skipped with a message otherwise)", async (ctx) => {
    if (!(await dockerEngineAvailable())) {
      console.warn("docker sandbox test skipped: no Docker engine answers on this machine (docker info failed)");
      ctx.skip();
      return;
    }
    const p = plan({ backend: "docker" });
    const backend = new DockerBackend(p);
    try {
      const prepared = await backend.prepare({
        command: "echo in-docker; id -u",
        cwd: "/workspace",
        env: {},
        timeoutMs: 30_000,
      });
      const proc = new RunningProcess({ ...prepared, timeoutMs: 60_000, maxOutputChars: 10_000 });
      await proc.done;
      expect(proc.output.text()).toContain("in-docker");
    } finally {
      await backend.remove();
    }
  });
});
