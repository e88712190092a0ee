import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { PincerError } from "../errors.js";
import { formatPath, isPlainObject, type PathSegment } from "./config-path.js";
import { expandHome } from "./paths.js";
import { type SecretRef, SecretRefSchema } from "./schema.js";

/**
 * SecretRefs (`{ source: "env" | "file" | "exec" | "vault", id }`) may stand in for any string in the config. They are
 * resolved at load so the rest of Pincer only ever sees strings, and the paths they were found at are
 * remembered so the resolved values are redacted wherever the config is shown.
 */

/** Long enough for a password manager CLI to unlock, short enough not to hang gateway start-up. */
export const SECRET_EXEC_TIMEOUT_MS = 5_000;
/** A secret is a token or key, not a document; anything larger is a misconfigured command. */
const SECRET_EXEC_MAX_OUTPUT_BYTES = 64 * 1024;

export interface SecretContext {
  file: string;
  env: NodeJS.ProcessEnv;
}

function secretError(ctx: SecretContext, at: readonly PathSegment[], problem: string): PincerError {
  const where = formatPath(at);
  return new PincerError("CONFIG_INVALID", `${ctx.file}: ${where || "(top level)"}: ${problem}`, {
    details: { path: ctx.file, issues: [{ path: where, message: problem }] },
  });
}

/** Splits a command line into argv the way a shell would for plain words and quotes, without running a shell. */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (inWord) args.push(cur);
  return args;
}

function runCommand(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      { cwd, env, timeout: SECRET_EXEC_TIMEOUT_MS, maxBuffer: SECRET_EXEC_MAX_OUTPUT_BYTES, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(String(stdout));
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number };
        if (e.killed && e.signal) reject(new Error(`timed out after ${SECRET_EXEC_TIMEOUT_MS / 1000} s`));
        else if (e.code === "ENOENT") reject(new Error(`command not found: ${argv[0]}`));
        else if (e.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") reject(new Error("printed more than 64 KiB"));
        else {
          const detail = String(stderr).trim().split("\n")[0]?.slice(0, 200);
          reject(new Error(`exited with ${e.code ?? e.signal}${detail ? `: ${detail}` : ""}`));
        }
      },
    );
  });
}

async function resolveRef(ref: SecretRef, at: readonly PathSegment[], ctx: SecretContext): Promise<string> {
  const configDir = path.dirname(ctx.file);
  switch (ref.source) {
    case "env": {
      const v = ctx.env[ref.id];
      if (v === undefined || v === "") throw secretError(ctx, at, `secret env variable ${ref.id} is not set`);
      return v;
    }
    case "file": {
      const file = path.resolve(configDir, expandHome(ref.id, ctx.env.HOME || undefined));
      let text: string;
      try {
        text = await fs.readFile(file, "utf8");
      } catch (err) {
        throw secretError(ctx, at, `cannot read secret file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      const v = text.trim();
      if (!v) throw secretError(ctx, at, `secret file ${file} is empty`);
      return v;
    }
    case "vault": {
      // Loaded only for configs that use the vault, so the cipher code stays off everyone else's start path.
      const { readVaultSecret } = await import("../ops/vault.js");
      try {
        return await readVaultSecret(ctx.env, ref.id);
      } catch (err) {
        throw secretError(ctx, at, `vault secret "${ref.id}": ${(err as Error).message}`);
      }
    }
    case "exec": {
      let argv: string[];
      try {
        argv = splitCommandLine(ref.id);
      } catch (err) {
        throw secretError(ctx, at, `secret command "${ref.id}": ${(err as Error).message}`);
      }
      if (argv.length === 0) throw secretError(ctx, at, "secret command is empty");
      let out: string;
      try {
        out = await runCommand(argv, configDir, ctx.env);
      } catch (err) {
        throw secretError(ctx, at, `secret command "${argv[0]}" ${(err as Error).message}`);
      }
      const v = out.trim();
      if (!v) throw secretError(ctx, at, `secret command "${argv[0]}" printed nothing`);
      return v;
    }
  }
}

export interface ResolvedSecrets {
  value: unknown;
  /** Formatted paths whose value came from a SecretRef. */
  secretPaths: string[];
}

/** Returns a copy of `value` with every SecretRef replaced by its string value. */
export async function resolveSecretRefs(value: unknown, ctx: SecretContext): Promise<ResolvedSecrets> {
  const secretPaths: string[] = [];
  const walk = async (v: unknown, at: PathSegment[]): Promise<unknown> => {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i += 1) out.push(await walk(v[i], [...at, i]));
      return out;
    }
    if (!isPlainObject(v)) return v;
    const ref = SecretRefSchema.safeParse(v);
    if (ref.success) {
      const resolved = await resolveRef(ref.data, at, ctx);
      secretPaths.push(formatPath(at));
      return resolved;
    }
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) out[k] = await walk(child, [...at, k]);
    return out;
  };
  const resolved = await walk(value, []);
  return { value: resolved, secretPaths };
}
