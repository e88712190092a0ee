/**
 * What `pincer doctor` and `pincer security audit` report: findings with a severity, what is wrong, and what to
 * do about it. A finding may carry a repair that `--fix` runs; repairs only do what cannot break a working
 * setup (permissions, stale files, missing folders), never rotate a secret or rewrite behaviour.
 */

export type Severity = "critical" | "error" | "warn" | "info";

export interface Finding {
  /** Stable id, e.g. "perm.credentials" or "security.hooks-token-reuse"; tests and scripts match on it. */
  id: string;
  severity: Severity;
  title: string;
  detail?: string;
  /** What a person should do. */
  fix?: string;
  /** Set by --fix: the repair ran (true) or failed (its error). */
  fixed?: true | string;
  repair?: () => Promise<void>;
}

export interface Check {
  /** What the check looks at, listed as passed when it finds nothing. */
  name: string;
  run: () => Promise<Finding[]>;
}

export interface CheckReport {
  /** No critical or error findings left (after --fix). */
  ok: boolean;
  findings: Omit<Finding, "repair">[];
  passed: string[];
}

const RANK: Record<Severity, number> = { critical: 0, error: 1, warn: 2, info: 3 };

/** Runs checks one after another (several touch the same files); a check that throws is itself a finding. */
export async function runChecks(checks: Check[], opts: { fix?: boolean } = {}): Promise<CheckReport> {
  const findings: Finding[] = [];
  const passed: string[] = [];
  for (const check of checks) {
    let found: Finding[];
    try {
      found = await check.run();
    } catch (err) {
      found = [
        {
          id: "check.failed",
          severity: "warn",
          title: `could not check ${check.name}`,
          detail: err instanceof Error ? err.message : String(err),
        },
      ];
    }
    if (found.length === 0) passed.push(check.name);
    for (const f of found) {
      if (opts.fix && f.repair) {
        try {
          await f.repair();
          f.fixed = true;
        } catch (err) {
          f.fixed = err instanceof Error ? err.message : String(err);
        }
      }
      findings.push(f);
    }
  }
  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const open = findings.filter((f) => f.fixed !== true);
  return {
    ok: !open.some((f) => f.severity === "critical" || f.severity === "error"),
    findings: findings.map(({ repair: _repair, ...rest }) => rest),
    passed,
  };
}

const LABEL: Record<Severity, string> = { critical: "CRITICAL", error: "ERROR", warn: "WARN", info: "info" };

/** The report for a terminal: one block per finding, then what passed. */
export function formatReport(title: string, report: CheckReport): string {
  const lines = [title, ""];
  for (const f of report.findings) {
    const state = f.fixed === true ? " [fixed]" : typeof f.fixed === "string" ? ` [fix failed: ${f.fixed}]` : "";
    lines.push(`${LABEL[f.severity]}  ${f.title}${state}  (${f.id})`);
    if (f.detail) lines.push(`    ${f.detail}`);
    if (f.fix && f.fixed !== true) lines.push(`    fix: ${f.fix}`);
  }
  if (report.findings.length === 0) lines.push("No problems found.");
  if (report.passed.length > 0) lines.push("", `ok: ${report.passed.join(", ")}`);
  const fixable = report.findings.filter((f) => f.fixed === undefined && f.fix?.includes("--fix")).length;
  if (fixable > 0) lines.push("", `${fixable} finding(s) can be repaired with --fix.`);
  return `${lines.join("\n")}\n`;
}
