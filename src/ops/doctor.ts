import { access, mkdir, readdir, rm, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { auditDir } from "./audit-log.js";
import { channelCredentialsCheck, chromiumCheck, portCheck, providerCheck, sandboxCheck } from "./doctor-probes.js";
import { type Check, type CheckReport, type Finding, runChecks } from "./findings.js";
import { readGatewayLock } from "./gateway-lock.js";
import { permissionChecksFor } from "./permission-checks.js";
import { documentHoldsPlainSecrets } from "./security-audit.js";
import { defaultServiceInputs, serviceSpec, serviceStatus } from "./service.js";

/**
 * `pincer doctor`: what stops the gateway from working well on this machine, each with a fix; `--fix` repairs
 * what is safe to repair (permissions, stale lock and temp files, missing folders).
 */

/** Free space below these is a problem: transcripts, logs and SQLite need room to append and to compact. */
const DISK_ERROR_BYTES = 100 * 1024 * 1024;
const DISK_WARN_BYTES = 1024 * 1024 * 1024;
/** A transcript this large makes every history read slow; it should have been rotated or reset. */
const TRANSCRIPT_WARN_BYTES = 50 * 1024 * 1024;
/** A temp file older than this is left over from an interrupted write, not one in progress. */
const STALE_TMP_MS = 10 * 60_000;

export interface DoctorOptions {
  fix?: boolean;
  /** Skip checks that use the network (provider probes). */
  offline?: boolean;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

function stateFolderCheck(paths: StatePaths): () => Promise<Finding[]> {
  return async () => {
    const missing: string[] = [];
    for (const dir of [paths.stateDir, paths.credentialsDir]) if (!(await exists(dir))) missing.push(dir);
    if (missing.length === 0) return [];
    return [
      {
        id: "state.missing",
        severity: "info",
        title: `not created yet: ${missing.join(", ")}`,
        fix: "the gateway creates them at first start (or run with --fix)",
        repair: async () => {
          for (const dir of missing) await mkdir(dir, { recursive: true, mode: 0o700 });
        },
      },
    ];
  };
}

function staleFilesCheck(paths: StatePaths): () => Promise<Finding[]> {
  return async () => {
    const findings: Finding[] = [];
    const lock = await readGatewayLock(paths.stateDir);
    if (lock.state === "stale") {
      findings.push({
        id: "lock.stale",
        severity: "warn",
        title: "a gateway that is gone left its socket file behind",
        detail: lock.file,
        fix: "remove it (run with --fix); the next gateway start replaces it too",
        repair: () => rm(lock.file, { force: true }),
      });
    }
    const now = Date.now();
    const dirs = [
      paths.stateDir,
      paths.credentialsDir,
      auditDir(paths.stateDir),
      paths.cronDir,
      join(paths.stateDir, "budgets"),
    ];
    const leftovers: string[] = [];
    for (const dir of dirs) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith(".tmp")) continue;
        const file = join(dir, name);
        const st = await stat(file).catch(() => undefined);
        if (st?.isFile() && now - st.mtimeMs > STALE_TMP_MS) leftovers.push(file);
      }
    }
    if (leftovers.length > 0) {
      findings.push({
        id: "state.leftover-tmp",
        severity: "info",
        title: `${leftovers.length} temp file(s) left by interrupted writes`,
        detail: leftovers.slice(0, 5).join(", "),
        fix: "delete them (run with --fix)",
        repair: async () => {
          for (const f of leftovers) await rm(f, { force: true });
        },
      });
    }
    return findings;
  };
}

function diskCheck(paths: StatePaths): () => Promise<Finding[]> {
  return async () => {
    let dir = paths.stateDir;
    if (!(await exists(dir))) dir = join(dir, "..");
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    const mb = Math.round(free / 1048576);
    if (free < DISK_ERROR_BYTES)
      return [
        {
          id: "disk.full",
          severity: "error",
          title: `only ${mb} MB free where the state folder lives`,
          fix: "free disk space; transcripts and SQLite writes fail when it runs out",
        },
      ];
    if (free < DISK_WARN_BYTES)
      return [
        {
          id: "disk.low",
          severity: "warn",
          title: `${mb} MB free where the state folder lives`,
          fix: "free disk space before it runs out",
        },
      ];
    return [];
  };
}

function transcriptCheck(paths: StatePaths): () => Promise<Finding[]> {
  return async () => {
    const findings: Finding[] = [];
    for (const agent of await readdir(paths.agentsDir).catch(() => [] as string[])) {
      const dir = join(paths.agentsDir, agent, "sessions");
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith(".jsonl")) continue;
        const st = await stat(join(dir, name)).catch(() => undefined);
        if (st && st.size > TRANSCRIPT_WARN_BYTES) {
          findings.push({
            id: "transcript.large",
            severity: "warn",
            title: `transcript ${agent}/${name} is ${Math.round(st.size / 1048576)} MB`,
            detail: join(dir, name),
            fix: "start a new session in it (/new), which archives the file; set session.maintenance.rotateBytes to rotate sooner",
          });
        }
      }
    }
    return findings;
  };
}

function auditChainCheck(paths: StatePaths): () => Promise<Finding[]> {
  return async () => {
    const { verifyAuditLog } = await import("./audit-verify.js");
    const report = await verifyAuditLog(auditDir(paths.stateDir));
    if (report.ok) return [];
    const first = report.problems[0];
    const finding: Finding = {
      id: "audit.tampered",
      severity: "error",
      title: `the audit log fails verification (${report.problems.length} problem(s))`,
      fix: "run pincer audit verify for the details; keep a copy of the folder before anything else writes to it",
    };
    if (first) finding.detail = `${first.file}${first.line ? `:${first.line}` : ""}: ${first.problem}`;
    return [finding];
  };
}

function serviceCheck(paths: StatePaths, env: NodeJS.ProcessEnv): () => Promise<Finding[]> {
  return async () => {
    if (process.platform !== "linux" && process.platform !== "darwin") return [];
    const spec = serviceSpec(defaultServiceInputs(paths, env));
    const status = await serviceStatus(spec);
    if (!status.installed) {
      return [
        {
          id: "service.not-installed",
          severity: "info",
          title: "the gateway is not installed as a service (it will not start at login or restart after a crash)",
          fix: "pincer service install",
        },
      ];
    }
    const findings: Finding[] = [];
    if (status.active === false) {
      findings.push({
        id: "service.inactive",
        severity: "warn",
        title: `service ${status.name} is installed but not running`,
        detail: status.detail ?? "",
        fix: "pincer service status, then the gateway log (pincer logs)",
      });
    }
    if (status.outdated) {
      findings.push({
        id: "service.outdated",
        severity: "warn",
        title: `${status.file} points at another node, pincer or state folder than this one`,
        fix: "pincer service install (rewrites it)",
      });
    }
    return findings;
  };
}

function openclawHint(paths: StatePaths, env: NodeJS.ProcessEnv): () => Promise<Finding[]> {
  return async () => {
    const home = env.HOME?.trim();
    if (!home || (await exists(paths.configPath))) return [];
    const legacy = join(home, ".openclaw", "openclaw.json");
    if (!(await exists(legacy))) return [];
    return [
      {
        id: "config.openclaw-found",
        severity: "info",
        title: `an OpenClaw config exists (${legacy}) and Pincer has none yet`,
        fix: "pincer import openclaw",
      },
    ];
  };
}

export async function runDoctor(
  paths: StatePaths,
  env: NodeJS.ProcessEnv,
  opts: DoctorOptions = {},
): Promise<CheckReport> {
  const { loadConfig } = await import("../config/load.js");
  let config: PincerConfig | undefined;
  let plainSecrets = false;
  let configError: string | undefined;
  try {
    const snapshot = await loadConfig(paths.configPath, env);
    config = snapshot.config;
    plainSecrets = documentHoldsPlainSecrets(snapshot.parsed);
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }
  const checks: Check[] = [
    {
      name: "config",
      run: async () =>
        configError
          ? [
              {
                id: "config.invalid",
                severity: "error",
                title: "the config does not load",
                detail: configError,
                fix: "fix the named field (pincer config validate shows it too)",
              },
            ]
          : [],
    },
    { name: "OpenClaw migration", run: openclawHint(paths, env) },
    { name: "state folder", run: stateFolderCheck(paths) },
    { name: "permissions", run: permissionChecksFor(paths, env, { configHoldsSecrets: plainSecrets }) },
    { name: "locks and temp files", run: staleFilesCheck(paths) },
    { name: "disk space", run: diskCheck(paths) },
    { name: "transcripts", run: transcriptCheck(paths) },
    { name: "audit log", run: auditChainCheck(paths) },
  ];
  if (config) {
    checks.push(
      { name: "channel credentials", run: channelCredentialsCheck(config) },
      ...(opts.offline ? [] : [{ name: "providers", run: providerCheck(config, env) }]),
      { name: "sandbox", run: sandboxCheck(config, env) },
      { name: "browser", run: chromiumCheck(config, env) },
      { name: "port", run: portCheck(config, paths.stateDir) },
    );
  }
  checks.push({ name: "service", run: serviceCheck(paths, env) });
  return runChecks(checks, { fix: opts.fix ?? false });
}
