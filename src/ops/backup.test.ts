import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveStatePaths, type StatePaths } from "../config/paths.js";
import { createBackup, listBackups, pruneBackups } from "./backup.js";
import { restoreBackup, verifyBackup } from "./backup-restore.js";
import { backupIfDue } from "./backup-schedule.js";

// biome-ignore lint/suspicious/noExplicitAny: better-sqlite3 ships no types; the test uses a handful of calls.
const Database = createRequire(import.meta.url)("better-sqlite3") as any;

let root: string;
let paths: StatePaths;
let backups: string;
const stopped = async () => {};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "pincer-backup-"));
  paths = resolveStatePaths({ HOME: root, PINCER_STATE_DIR: join(root, "state") });
  backups = join(root, "backups");
  mkdirSync(join(paths.agentsDir, "main", "sessions"), { recursive: true });
  mkdirSync(paths.credentialsDir, { recursive: true });
  mkdirSync(paths.logsDir, { recursive: true });
  writeFileSync(paths.configPath, "{ gateway: { port: 1234 } }\n");
  writeFileSync(join(paths.credentialsDir, "telegram-allowFrom.json"), '["42"]', { mode: 0o600 });
  writeFileSync(join(paths.agentsDir, "main", "sessions", "s1.jsonl"), '{"a":1}\n{"b":2}\n{"torn":');
  writeFileSync(join(paths.logsDir, "gateway.log"), "log line\n");
  writeFileSync(join(paths.stateDir, "leftover.tmp"), "x");
  const deep = join(paths.stateDir, "workspace", "a".repeat(60), "b".repeat(60));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "NOTES.md"), "long path\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("backups", () => {
  it("archive the state folder (not logs or temp files), verify, and open with plain tar", async () => {
    const result = await createBackup(paths, { dir: backups });
    const verified = await verifyBackup(result.file);
    expect(verified).toMatchObject({ ok: true, problems: [] });
    const files = verified.manifest?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        "pincer.json",
        "credentials/telegram-allowFrom.json",
        "agents/main/sessions/s1.jsonl",
        `workspace/${"a".repeat(60)}/${"b".repeat(60)}/NOTES.md`,
      ]),
    );
    expect(files.some((f) => f.startsWith("logs/") || f.endsWith(".tmp"))).toBe(false);
    const listing = spawnSync("tar", ["tzf", result.file], { encoding: "utf8" });
    if (listing.status === 0) expect(listing.stdout).toContain("state/credentials/telegram-allowFrom.json");
  });

  it("copies a live SQLite database consistently (committed rows only) and transcripts up to their last whole line", async () => {
    const dbFile = join(paths.agentsDir, "main", "memory.sqlite");
    const db = new Database(dbFile);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('committed');");
    db.exec("BEGIN; INSERT INTO t VALUES ('in flight');");
    try {
      const { file } = await createBackup(paths, { dir: backups });
      const target = join(root, "restored");
      await restoreBackup(file, target, { assertStopped: stopped });
      const copy = new Database(join(target, "agents", "main", "memory.sqlite"), { readonly: true });
      expect(copy.prepare("SELECT v FROM t").all()).toEqual([{ v: "committed" }]);
      copy.close();
      expect(readFileSync(join(target, "agents", "main", "sessions", "s1.jsonl"), "utf8")).toBe('{"a":1}\n{"b":2}\n');
      expect(readFileSync(join(target, "credentials", "telegram-allowFrom.json"), "utf8")).toBe('["42"]');
    } finally {
      db.exec("ROLLBACK");
      db.close();
    }
  });

  it("a truncated archive fails verification and restores nothing", async () => {
    const { file } = await createBackup(paths, { dir: backups });
    rmSync(`${file}.sha256`);
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const verified = await verifyBackup(file);
    expect(verified.ok).toBe(false);
    expect(verified.problems[0]).toMatch(/truncated/);
    const target = join(root, "restored");
    await expect(restoreBackup(file, target, { assertStopped: stopped })).rejects.toThrow(
      /failed verification, nothing was restored/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it("a tampered archive fails: by its recorded checksum, and by the manifest when re-packed", async () => {
    const { file } = await createBackup(paths, { dir: backups });
    const original = readFileSync(file);
    const tar = gunzipSync(original);
    const at = tar.indexOf('["42"]');
    tar.write('["66"]', at);
    writeFileSync(file, gzipSync(tar));
    const withSidecar = await verifyBackup(file);
    expect(withSidecar.ok).toBe(false);
    expect(withSidecar.problems).toEqual([
      expect.stringMatching(/bytes differ from the checksum recorded/),
      "credentials/telegram-allowFrom.json does not match its checksum (altered)",
    ]);
    rmSync(`${file}.sha256`);
    expect((await verifyBackup(file)).problems).toEqual([
      "credentials/telegram-allowFrom.json does not match its checksum (altered)",
    ]);
    const flipped = Buffer.from(original);
    const mid = Math.floor(flipped.length / 2);
    flipped[mid] = (flipped[mid] as number) ^ 0xff;
    writeFileSync(file, flipped);
    expect((await verifyBackup(file)).ok).toBe(false);
  });

  it("restores into a non-empty folder only with force, keeping the old one aside; refuses when a gateway runs", async () => {
    const { file } = await createBackup(paths, { dir: backups });
    appendFileSync(paths.configPath, "// changed after the backup\n");
    await expect(restoreBackup(file, paths.stateDir, { assertStopped: stopped })).rejects.toThrow(/is not empty/);
    const running = async () => {
      throw new Error("a gateway (pid 1) is running");
    };
    await expect(restoreBackup(file, paths.stateDir, { force: true, assertStopped: running })).rejects.toThrow(
      /is running/,
    );
    const result = await restoreBackup(file, paths.stateDir, { force: true, assertStopped: stopped });
    expect(readFileSync(paths.configPath, "utf8")).toBe("{ gateway: { port: 1234 } }\n");
    expect(readFileSync(join(result.previous as string, "pincer.json"), "utf8")).toContain("changed after the backup");
  });

  it("keeps the newest archives, and the schedule backs up only when the newest is older than everyHours", async () => {
    const log = pino({ level: "silent" });
    const cfg = { enabled: true, dir: backups, everyHours: 24, keep: 2, includeLogs: false };
    const t0 = Date.parse("2026-03-01T00:00:00Z");
    const deps = { config: () => cfg, paths, log };
    expect(await backupIfDue(deps, t0)).toMatch(/pincer-backup-2026-03-01T00-00-00-000Z\.tar\.gz$/);
    // The archive's age is its file time (now), so "a day later" is measured from the real clock here.
    expect(await backupIfDue(deps, Date.now() + 3_600_000)).toBeUndefined();
    expect(await backupIfDue(deps, Date.now() + 25 * 3_600_000)).toBeDefined();
    expect(await backupIfDue(deps, Date.now() + 50 * 3_600_000)).toBeDefined();
    expect((await listBackups(backups)).length).toBe(2);
    expect(await pruneBackups(backups, 1)).toHaveLength(1);
    expect(await backupIfDue({ ...deps, config: () => ({ ...cfg, enabled: false }) })).toBeUndefined();
  });
});
