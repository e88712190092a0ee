import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { chown, mkdir } from "node:fs/promises";
import { PincerError } from "../errors.js";
import type { CommandRequest, ExecBackend, PreparedCommand } from "./backend.js";
import { commandShell } from "./env.js";
import { SANDBOX_WORKSPACE_DIR, type SandboxPlan, shortHash } from "./plan.js";

/**
 * Linux sandbox on Debian's bubblewrap: fresh pid, ipc, uts (and, unless network is "host", net) namespaces;
 * the system folders read-only; /tmp private; the workspace at /workspace (read-only for workspaceAccess "ro");
 * nothing else of the host (no state dir, no credentials, no home). Limits come from rlimits set inside:
 * processes (fork bombs), address space, file size; the exec timeout bounds time and kills the whole namespace.
 *
 * A root gateway never runs sandboxed commands as root: bwrap sets up the mounts, then `setpriv` drops to a
 * per-sandbox uid (the process limit counts per uid, and root is exempt from it). An unprivileged gateway runs
 * bwrap in a user namespace, where the process limit counts only the sandbox's own processes.
 */

const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Folders of the host system visible (read-only) inside; /bin, /lib … are symlinks on merged-/usr systems. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];
const MIB = 1024 * 1024;
/** Sandbox uids for a root gateway: 1,000,000 + a hash of the sandbox id, clear of system and login users. */
const SANDBOX_UID_BASE = 1_000_000;
const SANDBOX_UID_SPAN = 1_000_000;

export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = `${dir}/${name}`;
    if (dir && existsSync(p)) return p;
  }
  for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"])
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return undefined;
}

/** The uid a root gateway runs this sandbox's commands as. */
export function sandboxUid(plan: SandboxPlan): number {
  return SANDBOX_UID_BASE + (Number.parseInt(shortHash(plan.id).slice(0, 8), 16) % SANDBOX_UID_SPAN);
}

export class BwrapBackend implements ExecBackend {
  readonly name = "bwrap" as const;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(private readonly plan: SandboxPlan) {}

  async prepare(req: CommandRequest): Promise<PreparedCommand> {
    const bwrap = findExecutable("bwrap");
    if (!bwrap) {
      throw new PincerError(
        "UNAVAILABLE",
        "this session runs sandboxed but bubblewrap is not installed: apt-get install bubblewrap, or set agents.defaults.sandbox.backend to docker (or mode to off)",
      );
    }
    const prlimit = findExecutable("prlimit");
    const setpriv = findExecutable("setpriv");
    if (!prlimit || (this.asRoot && !setpriv)) {
      throw new PincerError(
        "UNAVAILABLE",
        "the sandbox needs prlimit and setpriv from util-linux: apt-get install util-linux",
      );
    }
    await mkdir(this.plan.hostWorkspace, { recursive: true });
    const uid = sandboxUid(this.plan);
    if (this.asRoot && this.plan.workspaceAccess === "none") await chown(this.plan.hostWorkspace, uid, uid);

    const args = [
      ...(this.asRoot
        ? ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        : ["--unshare-all"]),
      ...(this.plan.network === "host" ? (this.asRoot ? [] : ["--share-net"]) : this.asRoot ? ["--unshare-net"] : []),
      "--die-with-parent",
      "--new-session",
      "--hostname",
      "sandbox",
      ...systemMounts(),
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--tmpfs",
      "/tmp",
      "--tmpfs",
      "/var/tmp",
      "--tmpfs",
      "/run",
      this.plan.workspaceAccess === "ro" ? "--ro-bind" : "--bind",
      this.plan.hostWorkspace,
      SANDBOX_WORKSPACE_DIR,
      "--chdir",
      req.cwd,
      "--clearenv",
      ...Object.entries(this.sandboxEnv(req.env)).flatMap(([k, v]) => ["--setenv", k, v]),
      "--",
    ];
    const limits = [
      prlimit,
      `--nproc=${this.plan.pidsLimit}`,
      `--as=${this.plan.memoryMb * MIB}`,
      `--fsize=${this.plan.fileSizeMb * MIB}`,
      "--",
    ];
    const drop = this.asRoot
      ? [
          setpriv as string,
          "--reuid",
          String(uid),
          "--regid",
          String(uid),
          "--clear-groups",
          "--inh-caps=-all",
          "--bounding-set=-all",
          "--no-new-privs",
          "--",
        ]
      : [];
    return {
      argv: [bwrap, ...args, ...drop, ...limits, commandShell(), "-c", req.command],
      cwd: "/",
      env: { PATH: SANDBOX_PATH },
      where: `sandbox ${this.plan.id} (bwrap, network ${this.plan.network})`,
    };
  }

  private sandboxEnv(extra: Record<string, string>): Record<string, string> {
    return {
      PATH: SANDBOX_PATH,
      HOME: SANDBOX_WORKSPACE_DIR,
      TMPDIR: "/tmp",
      LANG: "C.UTF-8",
      TERM: "dumb",
      SHELL: commandShell(),
      PINCER_SHELL: "exec",
      PINCER_SANDBOX: "bwrap",
      ...extra,
    };
  }
}

function systemMounts(): string[] {
  const out: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) out.push("--symlink", readlinkSync(dir), dir);
    else if (st.isDirectory()) out.push("--ro-bind", dir, dir);
  }
  return out;
}
