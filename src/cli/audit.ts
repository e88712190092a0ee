import type { Command } from "commander";

/** `pincer audit tail|verify`: the hash-chained audit log, read from disk (no gateway needed). */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("read and verify the tamper-evident audit log");

  const auditDir = async () => {
    const { resolveStatePaths } = await import("../config/paths.js");
    const { join } = await import("node:path");
    return join(resolveStatePaths(process.env).stateDir, "audit");
  };

  audit
    .command("tail")
    .description("show the latest audit entries")
    .option("-n, --lines <n>", "how many entries", "20")
    .option("--type <type>", "only entries of this type or family (e.g. tool.run, config, auth)")
    .option("--json", "print JSON lines")
    .action(async (flags: { lines: string; type?: string; json?: boolean }) => {
      const n = Number(flags.lines);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--lines must be a positive integer, got "${flags.lines}"`);
      const { readAuditTail } = await import("../ops/audit-verify.js");
      const entries = await readAuditTail(await auditDir(), n, flags.type);
      for (const e of entries) {
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(e)}\n`);
          continue;
        }
        const data = Object.entries(e.data)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        process.stdout.write(`${e.seq}  ${e.ts}  ${e.type}${e.actor ? `  by ${e.actor}` : ""}  ${data}\n`);
      }
      if (entries.length === 0 && !flags.json) process.stdout.write("The audit log is empty.\n");
    });

  audit
    .command("verify")
    .description("check every entry's hash and the chain between them; exits 1 if anything was altered")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }) => {
      const { verifyAuditLog } = await import("../ops/audit-verify.js");
      const dir = await auditDir();
      const report = await verifyAuditLog(dir);
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        const where = (p: { file: string; line?: number; seq?: number }) =>
          `${p.file}${p.line ? `:${p.line}` : ""}${p.seq ? ` (entry ${p.seq})` : ""}`;
        for (const p of report.problems) process.stdout.write(`TAMPERED ${where(p)}: ${p.problem}\n`);
        for (const w of report.warnings) process.stdout.write(`warning ${where(w)}: ${w.problem}\n`);
        process.stdout.write(
          report.ok
            ? `Audit log intact: ${report.entries} entries${report.last ? `, last ${report.last.seq} at ${report.last.ts}, head ${report.last.hash}` : ""} (${dir}).\n`
            : `Audit log FAILED verification: ${report.problems.length} problem(s) in ${dir}.\n`,
        );
      }
      if (!report.ok) process.exitCode = 1;
    });
}
