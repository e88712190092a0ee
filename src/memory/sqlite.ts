import { createRequire } from "node:module";
import { PincerError } from "../errors.js";

/**
 * The slice of better-sqlite3 the memory index uses, typed here (the package ships no types). Loaded on
 * first use only: the gateway starts without paying for the native module.
 */

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqliteDb {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: mirrors better-sqlite3's generic transaction wrapper.
  transaction<F extends (...args: any[]) => unknown>(fn: F): F;
  loadExtension(path: string): void;
  close(): void;
  readonly open: boolean;
}

type DatabaseCtor = new (file: string, options?: { timeout?: number }) => SqliteDb;

const require = createRequire(import.meta.url);
let ctor: DatabaseCtor | undefined;

export function openSqlite(file: string): SqliteDb {
  if (!ctor) {
    try {
      // CommonJS native module: require() is the direct way in.
      ctor = require("better-sqlite3") as DatabaseCtor;
    } catch (err) {
      throw new PincerError(
        "UNAVAILABLE",
        `the memory index needs the "better-sqlite3" package, which failed to load (${(err as Error).message}); reinstall Pincer's dependencies (npm install)`,
      );
    }
  }
  return new ctor(file, { timeout: 5_000 });
}

/** Loads sqlite-vec into `db`; returns why it could not (vector search then stays off), or undefined. */
export function loadSqliteVec(db: SqliteDb, extensionPath?: string): string | undefined {
  try {
    if (extensionPath) db.loadExtension(extensionPath);
    else (require("sqlite-vec") as { load(db: SqliteDb): void }).load(db);
    return undefined;
  } catch (err) {
    return `sqlite-vec could not be loaded (${(err as Error).message})`;
  }
}

/** SQLite's answer for a file that is not (or no longer) a database: the index is rebuilt from the files. */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}
