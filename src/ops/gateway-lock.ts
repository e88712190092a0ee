import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { lstat, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { z } from "zod";

/**
 * Which gateway serves a state folder, as a socket the gateway listens on while it runs. On Linux it is an
 * abstract socket, which the kernel removes with the process (SIGKILL included), so no lock ever outlives its
 * gateway; elsewhere it is `<state>/gateway.sock`, whose file a killed gateway leaves behind but which then
 * refuses connections and is recognised as stale. A connection gets the gateway's pid and port as JSON.
 * Restore refuses to run while a gateway answers; doctor removes a stale socket file.
 */

export const GATEWAY_SOCKET_FILE = "gateway.sock";
/** A live gateway answers at once; anything slower is treated as not there. */
const PROBE_TIMEOUT_MS = 2_000;

const LockSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int(),
  host: z.string(),
  startedAt: z.number(),
  version: z.string(),
});
export type GatewayLock = z.infer<typeof LockSchema>;

function canonical(stateDir: string): string {
  try {
    return realpathSync(stateDir);
  } catch {
    return resolve(stateDir);
  }
}

/** The socket address for a state folder: abstract on Linux, a file in the folder elsewhere. */
export function gatewayLockAddress(
  stateDir: string,
  platform: NodeJS.Platform = process.platform,
): { address: string; file?: string } {
  if (platform === "linux") {
    const id = createHash("sha256").update(canonical(stateDir)).digest("hex").slice(0, 32);
    return { address: `\0pincer-gateway-${id}` };
  }
  const file = join(stateDir, GATEWAY_SOCKET_FILE);
  return { address: file, file };
}

export type LockState =
  | { state: "none"; lock?: undefined }
  | { state: "running"; lock: GatewayLock }
  /** A socket file left by a gateway that is gone. */
  | { state: "stale"; lock?: undefined; file: string };

function probe(address: string): Promise<GatewayLock | "refused" | "unreadable"> {
  return new Promise((resolveProbe) => {
    const socket = connect(address);
    let data = "";
    const done = (result: GatewayLock | "refused" | "unreadable") => {
      socket.destroy();
      resolveProbe(result);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done("unreadable"));
    socket.on("data", (chunk) => {
      data += chunk.toString();
    });
    socket.on("end", () => {
      try {
        const parsed = LockSchema.safeParse(JSON.parse(data));
        done(parsed.success ? parsed.data : "unreadable");
      } catch {
        done("unreadable");
      }
    });
    socket.on("error", () => done("refused"));
  });
}

/** Whether a gateway runs on this state folder. */
export async function readGatewayLock(
  stateDir: string,
  platform: NodeJS.Platform = process.platform,
): Promise<LockState> {
  const { address, file } = gatewayLockAddress(stateDir, platform);
  if (file && !(await lstat(file).catch(() => undefined))) return { state: "none" };
  const found = await probe(address);
  if (found === "refused") return file ? { state: "stale", file } : { state: "none" };
  if (found === "unreadable") {
    // Something listens but does not speak the lock's JSON: treat it as in use rather than overwrite under it.
    return { state: "running", lock: { pid: 0, port: 0, host: "", startedAt: 0, version: "unknown" } };
  }
  return { state: "running", lock: found };
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Starts answering for this state folder. Fails with EADDRINUSE-like errors when another live gateway holds
 * it; a stale socket file is replaced.
 */
export async function holdGatewayLock(
  stateDir: string,
  lock: GatewayLock,
  platform: NodeJS.Platform = process.platform,
): Promise<HeldLock> {
  const { address, file } = gatewayLockAddress(stateDir, platform);
  if (file) {
    const current = await readGatewayLock(stateDir, platform);
    if (current.state === "stale") await rm(file, { force: true });
  }
  const body = `${JSON.stringify(lock)}\n`;
  const server: Server = createServer((socket) => {
    socket.on("error", () => {});
    socket.end(body);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(address, () => resolveListen());
  });
  server.unref();
  return {
    release: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
      }),
  };
}
