import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PincerError } from "../errors.js";

/**
 * `pincer service install|uninstall|status`: the gateway as a per-user service that starts at login and
 * restarts when it fails, as a systemd user unit (Linux) or a launchd agent (macOS). Nothing needs root.
 */

export type ServiceKind = "systemd" | "launchd";

export interface ServiceSpec {
  kind: ServiceKind;
  /** Unit / label name. */
  name: string;
  file: string;
  content: string;
}

export interface ServiceInputs {
  platform: NodeJS.Platform;
  home: string;
  nodePath: string;
  binPath: string;
  stateDir: string;
  logsDir: string;
  env: NodeJS.ProcessEnv;
  name?: string;
}

/** Env variables worth carrying into the service. PINCER_VAULT_KEY is not: a unit file is no place for a key. */
const CARRIED_ENV = ["PINCER_STATE_DIR", "PINCER_CONFIG_PATH", "PINCER_VAULT_KEY_FILE", "PATH"];
/** Seconds between a crash and the restart: quick, yet no busy loop on a config that cannot start. */
const RESTART_DELAY_S = 5;

export const DEFAULT_SERVICE_NAME = "pincer-gateway";

/** This installation's node and `bin/pincer.js` (dist/ops/service.js sits two folders below the package root). */
export function defaultServiceInputs(
  paths: { stateDir: string; logsDir: string },
  env: NodeJS.ProcessEnv,
  name?: string,
): ServiceInputs {
  return {
    platform: process.platform,
    home: env.HOME?.trim() || homedir(),
    nodePath: process.execPath,
    binPath: resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "pincer.js"),
    stateDir: paths.stateDir,
    logsDir: paths.logsDir,
    env,
    ...(name ? { name } : {}),
  };
}

function serviceEnv(inputs: ServiceInputs): Record<string, string> {
  const out: Record<string, string> = { PINCER_STATE_DIR: inputs.stateDir };
  for (const k of CARRIED_ENV) {
    const v = inputs.env[k];
    if (v && !(k in out)) out[k] = v;
  }
  return out;
}

/** systemd quoting: each argument in double quotes, with \ and " escaped. */
const sdQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function serviceSpec(inputs: ServiceInputs): ServiceSpec {
  const name = inputs.name ?? DEFAULT_SERVICE_NAME;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    throw new PincerError("INVALID_REQUEST", `"${name}" is not a service name: letters, digits, _ . and -`);
  }
  const env = serviceEnv(inputs);
  if (inputs.platform === "linux") {
    const lines = [
      "[Unit]",
      "Description=Pincer gateway",
      "After=network-online.target",
      "Wants=network-online.target",
      "",
      "[Service]",
      "Type=simple",
      `ExecStart=${[inputs.nodePath, inputs.binPath, "gateway"].map(sdQuote).join(" ")}`,
      "Restart=on-failure",
      `RestartSec=${RESTART_DELAY_S}`,
      ...Object.entries(env).map(([k, v]) => `Environment=${sdQuote(`${k}=${v}`)}`),
      // Takes one path as it is: quotes would become part of it.
      `WorkingDirectory=${inputs.home}`,
      "",
      "[Install]",
      "WantedBy=default.target",
      "",
    ];
    return {
      kind: "systemd",
      name,
      file: join(inputs.home, ".config", "systemd", "user", `${name}.service`),
      content: lines.join("\n"),
    };
  }
  if (inputs.platform === "darwin") {
    const label = `ai.pincer.${name}`;
    const strings = (xs: string[]) => xs.map((x) => `    <string>${xml(x)}</string>`).join("\n");
    const envXml = Object.entries(env)
      .map(([k, v]) => `    <key>${xml(k)}</key>\n    <string>${xml(v)}</string>`)
      .join("\n");
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xml(label)}</string>
  <key>ProgramArguments</key>
  <array>
${strings([inputs.nodePath, inputs.binPath, "gateway"])}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
${envXml}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>${RESTART_DELAY_S}</integer>
  <key>WorkingDirectory</key>
  <string>${xml(inputs.home)}</string>
  <key>StandardOutPath</key>
  <string>${xml(join(inputs.logsDir, "service.out.log"))}</string>
  <key>StandardErrorPath</key>
  <string>${xml(join(inputs.logsDir, "service.err.log"))}</string>
</dict>
</plist>
`;
    return {
      kind: "launchd",
      name: label,
      file: join(inputs.home, "Library", "LaunchAgents", `${label}.plist`),
      content,
    };
  }
  throw new PincerError(
    "UNAVAILABLE",
    `pincer service supports Linux (systemd) and macOS (launchd), not ${inputs.platform}`,
  );
}

/** Runs a service-manager command; resolves with its outcome instead of throwing (it may not exist here). */
export function runManager(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`.trim();
      if (!err) resolve({ ok: true, out });
      else
        resolve({
          ok: false,
          out: out || ((err as NodeJS.ErrnoException).code === "ENOENT" ? `${cmd} not found` : err.message),
        });
    });
  });
}

function managerCommands(spec: ServiceSpec, uid: number) {
  if (spec.kind === "systemd") {
    const unit = `${spec.name}.service`;
    return {
      start: [
        ["systemctl", ["--user", "daemon-reload"]],
        ["systemctl", ["--user", "enable", "--now", unit]],
      ] as const,
      stop: [["systemctl", ["--user", "disable", "--now", unit]]] as const,
      restart: [["systemctl", ["--user", "restart", unit]]] as const,
      active: ["systemctl", ["--user", "is-active", unit]] as const,
    };
  }
  const domain = `gui/${uid}`;
  return {
    start: [["launchctl", ["bootstrap", domain, spec.file]]] as const,
    stop: [["launchctl", ["bootout", `${domain}/${spec.name}`]]] as const,
    restart: [["launchctl", ["kickstart", "-k", `${domain}/${spec.name}`]]] as const,
    active: ["launchctl", ["print", `${domain}/${spec.name}`]] as const,
  };
}

async function runAll(cmds: readonly (readonly [string, readonly string[]])[]): Promise<{ ok: boolean; out: string }> {
  for (const [cmd, args] of cmds) {
    const r = await runManager(cmd, [...args]);
    if (!r.ok) return { ok: false, out: `${cmd} ${args.join(" ")}: ${r.out}` };
  }
  return { ok: true, out: "" };
}

const uid = () => (typeof process.getuid === "function" ? process.getuid() : 0);

export interface InstallResult {
  spec: ServiceSpec;
  /** Whether the service manager enabled and started it; false with `problem` where it could not (e.g. no systemd). */
  started: boolean;
  problem?: string;
}

export async function installService(spec: ServiceSpec, opts: { start: boolean }): Promise<InstallResult> {
  await mkdir(dirname(spec.file), { recursive: true });
  await writeFile(spec.file, spec.content, { mode: 0o644 });
  if (!opts.start) return { spec, started: false };
  const r = await runAll(managerCommands(spec, uid()).start);
  return r.ok ? { spec, started: true } : { spec, started: false, problem: r.out };
}

export async function uninstallService(spec: ServiceSpec): Promise<{ removed: boolean; problem?: string }> {
  const existing = await readFile(spec.file, "utf8").catch(() => undefined);
  if (existing === undefined) return { removed: false };
  const stop = await runAll(managerCommands(spec, uid()).stop);
  await rm(spec.file, { force: true });
  if (spec.kind === "systemd") await runManager("systemctl", ["--user", "daemon-reload"]);
  return stop.ok ? { removed: true } : { removed: true, problem: stop.out };
}

export async function restartService(spec: ServiceSpec): Promise<{ ok: boolean; out: string }> {
  return runAll(managerCommands(spec, uid()).restart);
}

export interface ServiceStatus {
  kind: ServiceKind;
  name: string;
  file: string;
  installed: boolean;
  /** What the service manager says; undefined when it could not be asked. */
  active?: boolean;
  detail?: string;
  /** The installed file differs from what install would write now (another node, bin or state folder). */
  outdated?: boolean;
}

export async function serviceStatus(spec: ServiceSpec): Promise<ServiceStatus> {
  const existing = await readFile(spec.file, "utf8").catch(() => undefined);
  const base = { kind: spec.kind, name: spec.name, file: spec.file, installed: existing !== undefined };
  if (existing === undefined) return base;
  const [cmd, args] = managerCommands(spec, uid()).active;
  const r = await runManager(cmd, [...args]);
  const unknown = /not found|Failed to connect|No medium|System has not been booted/i.test(r.out);
  return {
    ...base,
    ...(unknown ? {} : { active: r.ok }),
    detail: r.out.split("\n")[0] ?? "",
    outdated: existing !== spec.content,
  };
}
