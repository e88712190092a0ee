import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gatewayLockAddress, holdGatewayLock, readGatewayLock } from "./gateway-lock.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const info = { pid: process.pid, port: 4321, host: "127.0.0.1", startedAt: 1, version: "test" };

/** A process that holds the lock, then is SIGKILLed: what a crashed gateway leaves. */
async function killedHolder(platform: NodeJS.Platform): Promise<void> {
  const { address } = gatewayLockAddress(dir, platform);
  const child = spawn(
    process.execPath,
    ["-e", `require("net").createServer().listen(${JSON.stringify(address)}, () => console.log("up"))`],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise((r) => child.stdout?.once("data", r));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
}

describe.each(["linux", "darwin"] as const)("gateway lock (%s style)", (platform) => {
  it.skipIf(platform === "linux" && process.platform !== "linux")(
    "is seen while held and gone once released",
    async () => {
      expect(await readGatewayLock(dir, platform)).toEqual({ state: "none" });
      const held = await holdGatewayLock(dir, info, platform);
      expect(await readGatewayLock(dir, platform)).toEqual({ state: "running", lock: info });
      await expect(holdGatewayLock(dir, info, platform)).rejects.toThrow(/EADDRINUSE/);
      await held.release();
      expect(await readGatewayLock(dir, platform)).toEqual({ state: "none" });
    },
  );

  it.skipIf(platform === "linux" && process.platform !== "linux")(
    "after a SIGKILL: nothing is left (linux), or a stale file the next holder replaces",
    async () => {
      await killedHolder(platform);
      const after = await readGatewayLock(dir, platform);
      if (platform === "linux") {
        expect(after).toEqual({ state: "none" });
        return;
      }
      expect(after).toEqual({ state: "stale", file: join(dir, "gateway.sock") });
      const held = await holdGatewayLock(dir, info, platform);
      expect((await readGatewayLock(dir, platform)).state).toBe("running");
      await held.release();
      expect(existsSync(join(dir, "gateway.sock"))).toBe(false);
    },
  );
});
