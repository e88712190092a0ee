import { type FSWatcher, watch as fsWatch } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { PincerError } from "../errors.js";
import { formatPath, getAtPath, isPlainObject, type PathSegment } from "./config-path.js";
import {
  type ConfigSnapshot,
  hashRaw,
  loadConfig,
  loadConfigFromRaw,
  parseConfigDocument,
  parseJson5,
} from "./load.js";
import { applyMergePatch, mergePatchDeletions } from "./merge-patch.js";
import type { StatePaths } from "./paths.js";
import {
  REDACTED_SENTINEL,
  type RedactedConfigSnapshot,
  redactSnapshot,
  restoreRedactedDocument,
  restoreRedactedRaw,
} from "./redact.js";
import { type ReloadPlan, reloadPlan } from "./reload-plan.js";
import { STATE_DIR_MODE, serializeConfig, writeConfigFile } from "./write.js";

export interface ConfigWriteResult {
  snapshot: ConfigSnapshot;
  plan: ReloadPlan;
}
export type ConfigChangeListener = (next: ConfigSnapshot, prev: ConfigSnapshot, plan: ReloadPlan) => void;
export type ConfigErrorListener = (err: PincerError) => void;

function asPincerError(err: unknown): PincerError {
  return err instanceof PincerError
    ? err
    : new PincerError("INTERNAL", err instanceof Error ? err.message : String(err), { cause: err });
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * The live config: one validated snapshot, writers that never leave an invalid or half-written file, and a
 * watcher that follows hand edits. Writes and reloads run one at a time, each against the bytes on disk.
 *
 * Patches apply to the document as written, so `${VAR}`, SecretRefs and `$include` stay as the user wrote
 * them. A patch key that an $include'd file provides is written into the main file beside the `$include`,
 * where it overrides the included value (siblings win); included files are never rewritten. Deleting such
 * a key (`null`) cannot work that way and is refused, naming the included files to edit instead. Rewriting
 * the main file for a patch drops its comments; `set`/`apply` write the text exactly as sent.
 */
export class ConfigStore {
  readonly #file: string;
  readonly #env: NodeJS.ProcessEnv;
  #current: ConfigSnapshot;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #changeListeners = new Set<ConfigChangeListener>();
  readonly #errorListeners = new Set<ConfigErrorListener>();

  private constructor(file: string, env: NodeJS.ProcessEnv, snapshot: ConfigSnapshot) {
    this.#file = file;
    this.#env = env;
    this.#current = snapshot;
  }

  /** Loads the config; throws CONFIG_INVALID when the file is invalid (the gateway must not start on it). */
  static async open(paths: StatePaths, env: NodeJS.ProcessEnv = process.env): Promise<ConfigStore> {
    const file = path.resolve(paths.configPath);
    return new ConfigStore(file, env, await loadConfig(file, env));
  }

  get current(): ConfigSnapshot {
    return this.#current;
  }

  getRedacted(): RedactedConfigSnapshot {
    return redactSnapshot(this.#current);
  }

  onChange(fn: ConfigChangeListener): () => void {
    this.#changeListeners.add(fn);
    return () => this.#changeListeners.delete(fn);
  }

  onError(fn: ConfigErrorListener): () => void {
    this.#errorListeners.add(fn);
    return () => this.#errorListeners.delete(fn);
  }

  /** Replaces the whole file with `raw` (sentinels restored from the current file). */
  set(raw: string, baseHash?: string): Promise<ConfigWriteResult> {
    // Only a text carrying sentinels needs the current document: a full replace must be able to fix a broken file.
    return this.#write(baseHash, async (disk) => ({
      raw: raw.includes(REDACTED_SENTINEL) ? restoreRedactedRaw(raw, disk.parsed(), this.#file) : raw,
    }));
  }

  /**
   * config.apply: the same write as `set`; the caller restarts the gateway afterwards when it wants the
   * OpenClaw "apply" behaviour, with the returned plan telling it whether a restart is needed at all.
   */
  apply(raw: string, baseHash?: string): Promise<ConfigWriteResult> {
    return this.set(raw, baseHash);
  }

  /** Applies a JSON5 merge patch (RFC 7396) to the document as written. */
  patch(patchRaw: string, baseHash?: string, replacePaths: string[] = []): Promise<ConfigWriteResult> {
    return this.#write(baseHash, async (disk) => {
      const patchDoc = parseJson5(`${this.#file} (patch)`, patchRaw);
      if (!isPlainObject(patchDoc)) {
        throw new PincerError("CONFIG_INVALID", "a config patch must be an object (RFC 7396 merge patch)");
      }
      const restored = restoreRedactedDocument(patchDoc, disk.parsed(), this.#current.resolved, this.#file);
      const merged = applyMergePatch(disk.parsed(), restored, replacePaths);
      return { raw: serializeConfig(merged), deletions: mergePatchDeletions(restored) };
    });
  }

  /** Re-reads the file. An invalid file keeps the last good snapshot and is reported through onError. */
  reload(): Promise<ConfigSnapshot | undefined> {
    return this.#exclusive(async () => {
      try {
        return this.#swap(await loadConfig(this.#file, this.#env)).snapshot;
      } catch (err) {
        this.#emitError(asPincerError(err));
        return undefined;
      }
    });
  }

  /**
   * Follows edits to the config file and its $include'd files until `signal` aborts. Folders are watched
   * rather than files because editors save by writing a new file and renaming it over the old one.
   * Resolves once the watchers are in place.
   */
  async watch(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const watchers = new Map<string, FSWatcher>();
    let timer: NodeJS.Timeout | undefined;
    let interesting = new Set<string>();

    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void this.reload().then(() => syncWatchers());
      }, this.#current.config.gateway.reload.debounceMs);
    };
    const syncWatchers = async () => {
      if (signal.aborted) return;
      const files = [this.#file, ...this.#current.includes];
      const real = await fs.realpath(this.#file).catch(() => undefined);
      if (real) files.push(real);
      interesting = new Set(files);
      const dirs = new Set(files.map((f) => path.dirname(f)));
      for (const [dir, w] of watchers) {
        if (!dirs.has(dir)) {
          w.close();
          watchers.delete(dir);
        }
      }
      for (const dir of dirs) {
        if (watchers.has(dir) || signal.aborted) continue;
        try {
          const w = fsWatch(dir, { persistent: false }, (_event, name) => {
            if (name === null || interesting.has(path.join(dir, name.toString()))) schedule();
          });
          w.on("error", (err) =>
            this.#emitError(new PincerError("UNAVAILABLE", `watching ${dir} failed: ${err.message}`)),
          );
          watchers.set(dir, w);
        } catch (err) {
          this.#emitError(new PincerError("UNAVAILABLE", `cannot watch ${dir}: ${(err as Error).message}`));
        }
      }
    };

    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        for (const w of watchers.values()) w.close();
        watchers.clear();
      },
      { once: true },
    );
    await fs.mkdir(path.dirname(this.#file), { recursive: true, mode: STATE_DIR_MODE }).catch(() => {});
    await syncWatchers();
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Installs a newer snapshot and tells listeners, unless nothing at all changed (e.g. our own write seen again). */
  #swap(next: ConfigSnapshot): ConfigWriteResult {
    const prev = this.#current;
    const plan = reloadPlan(prev.config, next.config);
    this.#current = next;
    if (next.hash !== prev.hash || next.exists !== prev.exists || plan.changedPaths.length > 0) {
      for (const fn of this.#changeListeners) {
        try {
          fn(next, prev, plan);
        } catch (err) {
          this.#emitError(
            new PincerError("INTERNAL", `a config change listener failed: ${asPincerError(err).message}`, {
              cause: err,
            }),
          );
        }
      }
    }
    return { snapshot: next, plan };
  }

  #emitError(err: PincerError): void {
    for (const fn of this.#errorListeners) {
      try {
        fn(err);
      } catch {
        // An error listener that throws has nowhere left to report to.
      }
    }
  }

  #write(
    baseHash: string | undefined,
    build: (disk: { parsed: () => Record<string, unknown> }) => Promise<{ raw: string; deletions?: PathSegment[][] }>,
  ): Promise<ConfigWriteResult> {
    return this.#exclusive(async () => {
      const diskRaw = await readIfExists(this.#file);
      const diskHash = hashRaw(diskRaw ?? "");
      if (baseHash !== undefined && baseHash !== diskHash) {
        throw new PincerError("CONFLICT", `config changed since you read it (hash ${diskHash}); reload and retry`, {
          details: { path: this.#file, hash: diskHash },
        });
      }
      if (diskHash !== this.#current.hash) {
        // Edited by hand since the last load: catch up first so listeners see that change before ours.
        try {
          this.#swap(await loadConfig(this.#file, this.#env));
        } catch (err) {
          this.#emitError(asPincerError(err));
        }
      }
      const parsed = () => (diskRaw === undefined ? {} : parseConfigDocument(this.#file, diskRaw));
      const { raw, deletions = [] } = await build({ parsed });
      const candidate = await loadConfigFromRaw(this.#file, raw, this.#env);
      const stuck = deletions.filter((p) => getAtPath(candidate.resolved, p).found).map((p) => formatPath(p));
      if (stuck.length > 0) {
        const files = candidate.includes.map((f) => path.relative(path.dirname(this.#file), f)).join(", ");
        const message = `cannot remove ${stuck.join(", ")}: the value comes from an $include'd file (${files}); edit that file`;
        throw new PincerError("CONFIG_INVALID", message, {
          details: {
            path: this.#file,
            issues: stuck.map((p) => ({ path: p, message: "provided by an $include'd file" })),
          },
        });
      }
      await writeConfigFile(this.#file, raw);
      return this.#swap(candidate);
    });
  }
}
