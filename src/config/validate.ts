import type { z } from "zod";
import { PincerError } from "../errors.js";
import { formatPath, type PathSegment } from "./config-path.js";
import { type PincerConfig, PincerConfigSchema } from "./schema.js";

/** One problem in a config file, as carried in CONFIG_INVALID details. */
export interface ConfigIssue {
  /** Dot path into the config (`gateway.port`, `agents.list[0].id`); empty for the document itself. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface ConfigInvalidDetails {
  /** The config file. */
  path: string;
  issues: ConfigIssue[];
}

/** How many issues the message lists; details always carry all of them. */
const MAX_ISSUES_IN_MESSAGE = 10;

export function configInvalid(file: string, issues: ConfigIssue[], cause?: unknown): PincerError {
  const lines = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((i) => {
    const at = i.line !== undefined ? `line ${i.line}, column ${i.column ?? 0}` : i.path || "(top level)";
    return `  ${at}: ${i.message}`;
  });
  if (issues.length > MAX_ISSUES_IN_MESSAGE) lines.push(`  … and ${issues.length - MAX_ISSUES_IN_MESSAGE} more`);
  const details: ConfigInvalidDetails = { path: file, issues };
  return new PincerError("CONFIG_INVALID", `invalid config ${file}:\n${lines.join("\n")}`, { details, cause });
}

function stripPrefix(message: string): string {
  return message.replace(/^Invalid input: /, "");
}

/** Turns zod issues into dot-path issues; unknown keys get one issue each at their own path. */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const parent = formatPath(at);
        out.push({ path: formatPath([...at, key]), message: `unknown key "${key}"${parent ? ` in ${parent}` : ""}` });
      }
    } else if (issue.code === "invalid_union") {
      // A union of plain types ("a string or an array of strings") reads best as one "expected A or B".
      const branches = issue.errors.map((branch) => branch[0]);
      const received = branches[0]?.message.match(/received (\w+)/)?.[1];
      if (branches.every((b) => b?.code === "invalid_type" && b.path.length === 0) && received) {
        const expected = branches.map((b) => (b as { expected: string }).expected).join(" or ");
        out.push({ path: formatPath(at), message: `expected ${expected}, received ${received}` });
      } else {
        // Report the branch that got furthest: its issues carry the most specific paths.
        const best = [...issue.errors].sort((a, b) => maxDepth(b) - maxDepth(a))[0] ?? [];
        out.push(
          ...(best.length > 0
            ? toConfigIssues(best, at)
            : [{ path: formatPath(at), message: stripPrefix(issue.message) }]),
        );
      }
    } else {
      out.push({ path: formatPath(at), message: stripPrefix(issue.message) });
    }
  }
  return out;
}

function maxDepth(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce((m, i) => Math.max(m, i.path.length), 0);
}

/** Validates an expanded document (includes, ${VAR} and secrets resolved) and applies defaults. */
export function validateConfig(file: string, expanded: unknown): PincerConfig {
  const result = PincerConfigSchema.safeParse(expanded);
  if (!result.success) throw configInvalid(file, toConfigIssues(result.error.issues));
  return result.data;
}
