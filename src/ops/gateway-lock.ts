import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/**
 * `<state>/gateway.pid`: which process serves a state folder. Written when the gateway listens and removed when
 * it stops. A SIGKILL leaves it behind, so it is never trusted alone: the process it names must still be alive.
 * Restore refuses to run under a live gateway; doctor removes a file whose process is gone.
 */

export const GATEWAY_LOCK_FILE = "gateway.pid";

const LockSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int(),
  host: z.string(),
  startedAt: z.number(),
  version: z.string(),
});
export type GatewayLock = z.infer<typeof LockSchema>;

export const gatewayLockPath = (stateDir: string) => join(stateDir, GATEWAY_LOCK_FILE);

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means alive.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function writeGatewayLock(stateDir: string, lock: GatewayLock): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = gatewayLockPath(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(lock)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** Removes the lock if it is still this process's (a newer gateway may have taken over the folder). */
export async function releaseGatewayLock(stateDir: string, pid = process.pid): Promise<void> {
  const lock = await readGatewayLock(stateDir);
  if (lock.state !== "none" && lock.lock?.pid === pid) await rm(gatewayLockPath(stateDir), { force: true });
}

export type LockState =
  | { state: "none"; lock?: undefined }
  | { state: "running"; lock: GatewayLock }
  | { state: "stale"; lock?: GatewayLock };

/** Whether a gateway runs on this state folder: "stale" is a lock left by a process that is gone (or unreadable). */
export async function readGatewayLock(stateDir: string): Promise<LockState> {
  let text: string;
  try {
    text = await readFile(gatewayLockPath(stateDir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "none" };
    throw err;
  }
  let parsed: ReturnType<typeof LockSchema.safeParse>;
  try {
    parsed = LockSchema.safeParse(JSON.parse(text));
  } catch {
    return { state: "stale" };
  }
  if (!parsed.success) return { state: "stale" };
  return processAlive(parsed.data.pid)
    ? { state: "running", lock: parsed.data }
    : { state: "stale", lock: parsed.data };
}
