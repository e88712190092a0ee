import { PincerError } from "../errors.js";
import { formatPath, isPlainObject, type PathSegment } from "./config-path.js";

/**
 * `${VAR}` substitution in string values (never in keys). Names are upper-case ([A-Z_][A-Z0-9_]*) so that
 * `${lower}` in a prompt or template stays as written; `$${VAR}` is the escape for a literal `${VAR}`.
 */
const REFERENCE = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;
const WHOLE_REFERENCE = /^\$\{[A-Z_][A-Z0-9_]*\}$/;

/** True when the string is exactly one `${VAR}` reference (not a secret itself, only where to find one). */
export function isEnvReference(value: string): boolean {
  return WHOLE_REFERENCE.test(value);
}

export interface SubstitutionContext {
  /** The file the document came from, for error messages. */
  file: string;
  /** Where the document sits in the whole config (non-empty for $include'd files). */
  mountPath: readonly PathSegment[];
  env: NodeJS.ProcessEnv;
  /** Keys whose values are left untouched (their own resolver handles them). */
  skipKeys?: ReadonlySet<string>;
}

export function substituteString(value: string, at: readonly PathSegment[], ctx: SubstitutionContext): string {
  return value.replace(REFERENCE, (match: string, name: string) => {
    if (match.startsWith("$$")) return match.slice(1);
    const v = ctx.env[name];
    // An empty value is treated like a missing one: an empty token or URL is a misconfiguration, not intent.
    if (v === undefined || v === "") {
      const problem = `environment variable ${name} is ${v === undefined ? "not set" : "empty"}`;
      throw new PincerError(
        "CONFIG_INVALID",
        `${ctx.file}: ${formatPath(at) || "(top level)"}: ${problem} ` +
          `(set it, or write $\${${name}} for a literal "\${${name}}")`,
        { details: { path: ctx.file, issues: [{ path: formatPath(at), message: problem }] } },
      );
    }
    return v;
  });
}

/** Returns a copy of `value` with every `${VAR}` in its strings replaced. */
export function substituteEnv(value: unknown, ctx: SubstitutionContext): unknown {
  const walk = (v: unknown, at: PathSegment[]): unknown => {
    if (typeof v === "string") return substituteString(v, at, ctx);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        out[k] = ctx.skipKeys?.has(k) ? child : walk(child, [...at, k]);
      }
      return out;
    }
    return v;
  };
  return walk(value, [...ctx.mountPath]);
}
