import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import JSON5 from "json5";
import pino from "pino";
import { z } from "zod";
import { type CronJob, CronJobSchema } from "../../automation/cron/job-schema.js";
import { isPlainObject, setAtPath } from "../../config/config-path.js";
import { loadConfigFromRaw } from "../../config/load.js";
import type { StatePaths } from "../../config/paths.js";
import { serializeConfig, writeConfigFile, writeFileAtomic } from "../../config/write.js";
import { PincerError } from "../../errors.js";
import { readGatewayLock } from "../gateway-lock.js";
import { Vault } from "../vault.js";
import { convertOpenClawConfig, plainSecrets } from "./openclaw-config.js";
import { readCronJobs, readPairing, readSessions } from "./openclaw-state.js";

/**
 * `pincer import openclaw [path]`: an OpenClaw state folder (config, workspaces, skills, cron jobs, pairing
 * allowlists, session transcripts) into Pincer's state folder, with a report of everything that could not be
 * carried over and why. Secrets written in clear in openclaw.json go into the encrypted vault. The OpenClaw
 * folder is only read.
 */

export interface ImportOptions {
  /** The OpenClaw state folder (holding openclaw.json), or the openclaw.json file itself. */
  source: string;
  paths: StatePaths;
  env: NodeJS.ProcessEnv;
  /** Replace an existing pincer.json (kept as pincer.json.pre-import-<time>). */
  force?: boolean;
  /** Keep secrets in pincer.json instead of moving them into the vault. */
  keepSecretsInConfig?: boolean;
}

export interface ImportReport {
  source: string;
  target: string;
  carried: { what: string; count: number; detail?: string }[];
  notCarried: { what: string; why: string }[];
}

/** What the skills installer records after its scan (src/skills/install.ts), so security audit sees them scanned. */
const INSTALL_RECORD = ".pincer-install.json";

function resolveSource(source: string): { dir: string; configFile: string } {
  return source.endsWith(".json")
    ? { dir: join(source, ".."), configFile: source }
    : { dir: source, configFile: join(source, "openclaw.json") };
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) n += await countFiles(join(dir, e.name));
    else if (e.isFile()) n += 1;
  }
  return n;
}

/** OpenClaw's CronJob → Pincer's, or why it cannot run here. */
export function convertCronJob(oc: Record<string, unknown>, now: number): { job: CronJob } | { why: string } {
  if (typeof oc.declarationKey === "string")
    return { why: `created by OpenClaw itself (${oc.declarationKey}), not by you` };
  const payload = isPlainObject(oc.payload) ? oc.payload : {};
  let mapped: Record<string, unknown>;
  if (payload.kind === "agentTurn") {
    mapped = { kind: "agentTurn", message: payload.message };
    for (const k of ["model", "thinking", "timeoutSeconds"]) if (payload[k] !== undefined) mapped[k] = payload[k];
  } else if (payload.kind === "systemEvent") mapped = { kind: "systemEvent", text: payload.text };
  else return { why: `its payload kind "${String(payload.kind)}" has no Pincer equivalent` };
  const delivery = isPlainObject(oc.delivery) ? oc.delivery : undefined;
  const keep = (o: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  const candidate = {
    ...keep(oc, [
      "id",
      "name",
      "description",
      "agentId",
      "enabled",
      "deleteAfterRun",
      "schedule",
      "sessionTarget",
      "wakeMode",
    ]),
    payload: mapped,
    ...(delivery ? { delivery: keep(delivery, ["mode", "channel", "to", "accountId", "bestEffort"]) } : {}),
    createdAtMs: typeof oc.createdAtMs === "number" ? oc.createdAtMs : now,
    updatedAtMs: now,
    state: {},
  };
  const parsed = CronJobSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { why: `${issue?.path.join(".") || "job"}: ${issue?.message ?? "invalid"}` };
  }
  return { job: parsed.data };
}

const PairingFileSchema = z.looseObject({
  version: z.literal(1),
  requests: z.array(z.unknown()).default([]),
  allowFrom: z.record(z.string(), z.array(z.string())).default({}),
});

async function mergeAllowFrom(
  credentialsDir: string,
  channel: string,
  accountId: string,
  ids: string[],
): Promise<number> {
  // The pairing store's file (src/channels/access/pairing-store.ts): approved senders per account.
  const file = join(credentialsDir, `${channel}-pairing.json`);
  const raw = await readFile(file, "utf8").catch(() => undefined);
  let data = PairingFileSchema.parse({ version: 1 });
  if (raw !== undefined) {
    const parsed = PairingFileSchema.safeParse(JSON.parse(raw));
    if (!parsed.success)
      throw new PincerError("CONFIG_INVALID", `${file} is not a pairing file; fix or remove it, then import again`);
    data = parsed.data;
  }
  const list = data.allowFrom[accountId] ?? [];
  const added = ids.filter((id) => !list.includes(id));
  data.allowFrom[accountId] = [...list, ...added];
  await mkdir(credentialsDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
  return added.length;
}

export async function importOpenClaw(opts: ImportOptions): Promise<ImportReport> {
  const { dir, configFile } = resolveSource(opts.source);
  const { paths, env } = opts;
  const report: ImportReport = { source: dir, target: paths.stateDir, carried: [], notCarried: [] };
  const carried = (what: string, count: number, detail?: string) =>
    report.carried.push({ what, count, ...(detail ? { detail } : {}) });
  const skip = (what: string, why: string) => report.notCarried.push({ what, why });

  const rawConfig = await readFile(configFile, "utf8").catch(() => undefined);
  if (rawConfig === undefined) {
    throw new PincerError(
      "NOT_FOUND",
      `no OpenClaw config at ${configFile}: pass the OpenClaw state folder (usually ~/.openclaw)`,
    );
  }
  let source: unknown;
  try {
    source = JSON5.parse(rawConfig);
  } catch (err) {
    throw new PincerError("CONFIG_INVALID", `${configFile} is not valid JSON5: ${(err as Error).message}`);
  }
  if (!isPlainObject(source)) throw new PincerError("CONFIG_INVALID", `${configFile} does not hold an object`);
  if ((await readGatewayLock(paths.stateDir)).state === "running") {
    throw new PincerError("CONFLICT", `a Pincer gateway is running on ${paths.stateDir}: stop it before importing`);
  }
  if (existsSync(paths.configPath) && !opts.force) {
    throw new PincerError(
      "CONFLICT",
      `${paths.configPath} already exists: pass --force to replace it (it is kept as a .pre-import copy)`,
    );
  }

  // Config, with clear-text secrets moved into the vault.
  const converted = convertOpenClawConfig(source, {
    openclawDir: dir,
    pincerWorkspace: paths.workspaceDir,
    home: env.HOME?.trim() || dir,
  });
  for (const d of converted.dropped) skip(`config ${d.path}`, d.reason);
  const secrets = opts.keepSecretsInConfig ? [] : plainSecrets(converted.config);
  if (secrets.length > 0) {
    const vault = await Vault.open(paths, env, { create: true });
    for (const s of secrets) {
      await vault.set(s.name, s.value);
      setAtPath(converted.config, s.path, { source: "vault", id: s.name });
    }
    carried("secrets moved into the encrypted vault", secrets.length, secrets.map((s) => s.name).join(", "));
  }
  const raw = serializeConfig(converted.config);
  await loadConfigFromRaw(paths.configPath, raw, env); // proves the result loads before a byte is written
  if (existsSync(paths.configPath)) {
    await rename(paths.configPath, `${paths.configPath}.pre-import-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  }
  await writeConfigFile(paths.configPath, raw);
  carried("config settings", Object.keys(converted.config).length, "top-level sections of pincer.json");

  // Workspaces (existing Pincer files win; nothing is overwritten) and managed skills.
  for (const ws of converted.workspaces) {
    if (!existsSync(ws.from)) continue;
    const files = await countFiles(ws.from);
    await cp(ws.from, ws.to, { recursive: true, force: false, errorOnExist: false });
    carried(`workspace of agent ${ws.agentId}`, files, `${ws.from} → ${ws.to}`);
  }
  const skillDirs: string[] = [];
  const managedFrom = join(dir, "skills");
  if (existsSync(managedFrom)) {
    await cp(managedFrom, join(paths.stateDir, "skills"), { recursive: true, force: false, errorOnExist: false });
    for (const name of await readdir(join(paths.stateDir, "skills")).catch(() => [] as string[]))
      skillDirs.push(join(paths.stateDir, "skills", name));
  }
  for (const ws of converted.workspaces) {
    for (const name of await readdir(join(ws.to, "skills")).catch(() => [] as string[]))
      skillDirs.push(join(ws.to, "skills", name));
  }
  const { scanSkill } = await import("../../skills/scanner.js");
  let scanned = 0;
  for (const skillDir of skillDirs) {
    if (!existsSync(join(skillDir, "SKILL.md")) || existsSync(join(skillDir, INSTALL_RECORD))) continue;
    const scan = await scanSkill(skillDir);
    if (scan.verdict === "block") {
      skip(
        `skill ${skillDir}`,
        `its scan found high-severity patterns (${scan.findings.length} findings): review it; pincer security audit lists it until you do`,
      );
      continue;
    }
    const record = {
      source: `openclaw:${skillDir}`,
      kind: "local",
      installedAt: new Date().toISOString(),
      scan: { maxSeverity: scan.maxSeverity, findings: scan.findings.length },
    };
    await writeFile(join(skillDir, INSTALL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    scanned += 1;
  }
  if (scanned > 0) carried("skills (scanned)", scanned);

  // Sessions.
  const { SessionStore } = await import("../../sessions/store.js");
  const read = await readSessions(dir);
  let sessions = 0;
  let messages = 0;
  let skippedEvents = 0;
  let unreadable = 0;
  const byAgent = new Map<string, typeof read.sessions>();
  for (const s of read.sessions) byAgent.set(s.agentId, [...(byAgent.get(s.agentId) ?? []), s]);
  for (const [agentId, list] of byAgent) {
    const store = await SessionStore.open(paths.agentsDir, agentId, {});
    try {
      for (const s of list) {
        skippedEvents += s.skippedEvents;
        unreadable += s.unreadable;
        if (s.messages.length === 0) continue;
        try {
          if (store.get(store.keyOf(s.key))) {
            skip(`session ${s.key}`, "Pincer already has a session with this key; it was left as it is");
            continue;
          }
          await store.resolve(s.key);
          for (const message of s.messages) await store.append(s.key, { type: "message", message });
          sessions += 1;
          messages += s.messages.length;
        } catch (err) {
          skip(`session ${s.key}`, err instanceof Error ? err.message : String(err));
        }
      }
    } finally {
      await store.close();
    }
  }
  carried("sessions", sessions, `${messages} messages`);
  if (skippedEvents > 0)
    skip(
      `${skippedEvents} transcript events`,
      "not messages (model changes, OpenClaw bookkeeping, compactions): Pincer compacts again when it needs to",
    );
  if (unreadable > 0)
    skip(
      `${unreadable} transcript events`,
      "stored zstd-compressed, which this Node cannot read: run the import with Node 22.15 or newer to carry them over",
    );
  if (read.olderWindows > 0)
    skip(
      `${read.olderWindows} earlier session(s)`,
      "conversations before a /new or reset are not imported; OpenClaw keeps them",
    );

  // Cron jobs.
  const { CronStore } = await import("../../automation/cron/store.js");
  const cron = new CronStore(paths.cronDir, pino({ level: "silent" }));
  const existing = await cron.load();
  const jobs = [...existing];
  let added = 0;
  for (const oc of (await readCronJobs(dir)).jobs) {
    const result = convertCronJob(oc, Date.now());
    if ("why" in result) skip(`cron job "${String(oc.name)}"`, result.why);
    else if (jobs.some((j) => j.id === result.job.id))
      skip(`cron job "${result.job.name}"`, "a Pincer job with this id exists");
    else {
      jobs.push(result.job);
      added += 1;
    }
  }
  if (added > 0) await cron.save(jobs);
  carried("cron jobs", added);

  // Pairing allowlists.
  const pairing = await readPairing(dir);
  const groups = new Map<string, string[]>();
  for (const a of pairing.allow)
    groups.set(`${a.channel}\0${a.accountId}`, [...(groups.get(`${a.channel}\0${a.accountId}`) ?? []), a.senderId]);
  let allowed = 0;
  for (const [k, ids] of groups) {
    const [channel, accountId] = k.split("\0") as [string, string];
    allowed += await mergeAllowFrom(paths.credentialsDir, channel, accountId, ids);
  }
  carried("paired senders (allowlists)", allowed);
  if (pairing.pending > 0)
    skip(
      `${pairing.pending} pending pairing request(s)`,
      "their codes expire within the hour; the senders get a new code when they write again",
    );

  for (const agentId of await readdir(join(dir, "agents")).catch(() => [] as string[])) {
    const profiles = join(dir, "agents", agentId, "agent", "auth-profiles.json");
    if (existsSync(profiles) && (await stat(profiles)).size > 0) {
      skip(
        `auth profiles of agent ${agentId}`,
        "OAuth logins and keys from `openclaw models auth` are not read: set the keys with pincer secrets set <name> --ref models.providers.<id>.apiKey",
      );
    }
  }
  return report;
}

/** The report for a terminal. */
export function formatImportReport(r: ImportReport): string {
  const lines = [`Imported ${r.source} into ${r.target}`, ""];
  for (const c of r.carried) lines.push(`  ✓ ${c.count} ${c.what}${c.detail ? ` (${c.detail})` : ""}`);
  if (r.notCarried.length > 0) {
    lines.push("", "Not carried over:");
    for (const n of r.notCarried) lines.push(`  - ${n.what}: ${n.why}`);
  }
  return `${lines.join("\n")}\n`;
}
