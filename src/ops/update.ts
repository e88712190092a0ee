import { execFile } from "node:child_process";
import { join } from "node:path";
import { PincerError } from "../errors.js";

/**
 * `pincer update`: back up the state folder, install the new version with npm, check that it is healthy, and
 * reinstall the version that ran before when it is not. "Healthy" means the new `pincer` starts and loads this
 * config (doctor finds no config error) and, when the gateway runs as a service, the restarted service answers
 * /readyz.
 */

export interface UpdateDeps {
  /** npm (PINCER_NPM overrides it, e.g. for a private registry wrapper). */
  npm: string;
  env: NodeJS.ProcessEnv;
  /** Runs before installing; returns where the backup went. */
  backup?: () => Promise<string>;
  /** Restarts the service and waits for the gateway to be ready; undefined when no service is installed. */
  restartService?: () => Promise<{ ok: boolean; detail: string }>;
  log: (line: string) => void;
}

export interface UpdateOptions {
  packageName: string;
  /** A version or dist-tag; default "latest". */
  to?: string;
  currentVersion: string;
}

export interface UpdateResult {
  ok: boolean;
  from: string;
  to?: string;
  backup?: string;
  rolledBack: boolean;
  problem?: string;
}

/** Long enough for npm to fetch and unpack a package on a slow link. */
const NPM_TIMEOUT_MS = 10 * 60_000;
const CHECK_TIMEOUT_MS = 60_000;

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout: number,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error
        ? typeof (error as { code?: unknown }).code === "number"
          ? (error as { code: number }).code
          : 1
        : 0;
      resolve({ code, out: String(stdout), err: String(stderr) || (error && !stderr ? error.message : "") });
    });
  });
}

async function installVersion(deps: UpdateDeps, spec: string): Promise<void> {
  const r = await run(deps.npm, ["install", "-g", "--no-audit", "--no-fund", spec], deps.env, NPM_TIMEOUT_MS);
  if (r.code !== 0)
    throw new PincerError(
      "UNAVAILABLE",
      `npm install -g ${spec} failed: ${(r.err || r.out).trim().split("\n").slice(-3).join(" ")}`,
    );
}

async function installedBin(deps: UpdateDeps): Promise<string> {
  const r = await run(deps.npm, ["prefix", "-g"], deps.env, CHECK_TIMEOUT_MS);
  if (r.code !== 0) throw new PincerError("UNAVAILABLE", `npm prefix -g failed: ${r.err.trim()}`);
  const prefix = r.out.trim();
  return process.platform === "win32" ? join(prefix, "pincer.cmd") : join(prefix, "bin", "pincer");
}

/** The installed version, and a problem when the new `pincer` cannot run or cannot load this config. */
async function checkInstalled(deps: UpdateDeps): Promise<{ version?: string; problem?: string }> {
  const bin = await installedBin(deps);
  const version = await run(bin, ["--version"], deps.env, CHECK_TIMEOUT_MS);
  const v = version.out.trim();
  if (version.code !== 0 || !/^\d+\.\d+\.\d+/.test(v))
    return { problem: `the new pincer does not start: ${(version.err || v).trim().slice(0, 300)}` };
  const doctor = await run(bin, ["doctor", "--offline", "--json"], deps.env, CHECK_TIMEOUT_MS);
  let report: { findings?: { id: string; detail?: string }[] };
  try {
    report = JSON.parse(doctor.out);
  } catch {
    return {
      version: v,
      problem: `the new pincer's doctor did not answer: ${(doctor.err || doctor.out).trim().slice(0, 300)}`,
    };
  }
  const configError = report.findings?.find((f) => f.id === "config.invalid");
  if (configError)
    return { version: v, problem: `the new version cannot load this config: ${configError.detail ?? ""}` };
  return { version: v };
}

export async function updatePincer(opts: UpdateOptions, deps: UpdateDeps): Promise<UpdateResult> {
  const from = opts.currentVersion;
  const result: UpdateResult = { ok: false, from, rolledBack: false };
  if (deps.backup) {
    result.backup = await deps.backup();
    deps.log(`Backed up the state folder to ${result.backup}`);
  }
  const spec = `${opts.packageName}@${opts.to ?? "latest"}`;
  deps.log(`Installing ${spec} …`);
  await installVersion(deps, spec);
  let check = await checkInstalled(deps);
  if (check.version) result.to = check.version;
  if (!check.problem && deps.restartService) {
    const restarted = await deps.restartService();
    if (!restarted.ok) check = { ...check, problem: `the service did not come back healthy: ${restarted.detail}` };
  }
  if (!check.problem) {
    result.ok = true;
    deps.log(check.version === from ? `Already at ${from}.` : `Updated ${from} → ${check.version}.`);
    return result;
  }
  result.problem = check.problem;
  deps.log(`${check.problem}; rolling back to ${from} …`);
  await installVersion(deps, `${opts.packageName}@${from}`);
  result.rolledBack = true;
  if (deps.restartService) {
    const back = await deps.restartService();
    if (!back.ok) result.problem += `; after the rollback the service still fails: ${back.detail}`;
  }
  return result;
}
