import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { BASE64_RUN, DECODED_DANGER, LINE_RULES, type Severity } from "./scanner-rules.js";

/**
 * Reads every file of a skill folder and reports what looks malicious (rules in scanner-rules.ts), plus
 * structural problems: links that escape the folder, binaries nobody can review, base64 blobs that decode
 * to commands. The scan is static: it never runs anything from the skill.
 */

export interface Finding {
  ruleId: string;
  severity: Severity;
  file: string;
  line?: number;
  message: string;
  evidence?: string;
}

export interface ScanReport {
  dir: string;
  filesScanned: number;
  findings: Finding[];
  maxSeverity: Severity | "none";
  /** "block": at least one high finding (install refuses by default); "warn": medium; "clean" otherwise. */
  verdict: "clean" | "warn" | "block";
}

const MAX_FILES = 500;
/** Larger files are not read whole; their size is itself reported. */
const MAX_SCAN_BYTES = 2 * 1024 * 1024;
/** Tab, newline, carriage return and printable ASCII: what a hidden shell command decodes to. */
const PRINTABLE = /^[\t\n\r\u0020-\u007e]+$/;
const RANK: Record<Severity | "none", number> = { none: 0, low: 1, medium: 2, high: 3 };

export async function scanSkill(dir: string): Promise<ScanReport> {
  const root = await realpath(dir);
  const findings: Finding[] = [];
  let filesScanned = 0;
  const walk = async (current: string) => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const e of entries) {
      const abs = join(current, e.name);
      const rel = relative(root, abs).split(sep).join("/");
      if (e.isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        const inRoot = target !== undefined && isInside(root, target);
        findings.push({
          ruleId: inRoot ? "symlink" : "escapes-folder",
          severity: inRoot ? "low" : "high",
          file: rel,
          message: inRoot ? "symbolic link inside the skill" : "symbolic link pointing outside the skill folder",
        });
        continue;
      }
      if (e.isDirectory()) {
        if (e.name === ".git") continue;
        await walk(abs);
        continue;
      }
      if (!e.isFile()) continue;
      if (++filesScanned > MAX_FILES) {
        findings.push({
          ruleId: "too-many-files",
          severity: "medium",
          file: rel,
          message: `more than ${MAX_FILES} files; the rest were not scanned`,
        });
        return;
      }
      await scanFile(abs, rel, findings);
    }
  };
  await walk(root);
  const maxSeverity = findings.reduce<Severity | "none">(
    (m, f) => (RANK[f.severity] > RANK[m] ? f.severity : m),
    "none",
  );
  return {
    dir: root,
    filesScanned: Math.min(filesScanned, MAX_FILES),
    findings,
    maxSeverity,
    verdict: maxSeverity === "high" ? "block" : maxSeverity === "medium" ? "warn" : "clean",
  };
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

async function scanFile(abs: string, rel: string, findings: Finding[]): Promise<void> {
  const st = await lstat(abs);
  const buf = await readFile(abs).then((b) => (b.length > MAX_SCAN_BYTES ? b.subarray(0, MAX_SCAN_BYTES) : b));
  if (st.size > MAX_SCAN_BYTES)
    findings.push({
      ruleId: "large-file",
      severity: "low",
      file: rel,
      message: `${st.size} bytes; only the first ${MAX_SCAN_BYTES} were scanned`,
    });
  if (buf.subarray(0, 8192).includes(0)) {
    const executable = (st.mode & 0o111) !== 0 || isExecutableHeader(buf);
    findings.push({
      ruleId: executable ? "binary-executable" : "binary-file",
      severity: executable ? "high" : "low",
      file: rel,
      message: executable
        ? "ships a compiled program that cannot be reviewed (skills are instructions and scripts)"
        : "binary file (not scanned)",
    });
    return;
  }
  const lines = buf.toString("utf8").split("\n");
  lines.forEach((line, i) => {
    for (const rule of LINE_RULES) {
      if (rule.pattern.test(line))
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          file: rel,
          line: i + 1,
          message: rule.message,
          evidence: clip(line),
        });
    }
    for (const m of line.matchAll(BASE64_RUN)) {
      const decoded = Buffer.from(m[0], "base64").toString("utf8");
      // Only text that decodes to printable characters can be a hidden command.
      if (PRINTABLE.test(decoded) && DECODED_DANGER.test(decoded))
        findings.push({
          ruleId: "encoded-command",
          severity: "high",
          file: rel,
          line: i + 1,
          message: "base64 text that decodes to a command or URL",
          evidence: clip(decoded),
        });
    }
  });
}

function isExecutableHeader(buf: Buffer): boolean {
  const magic = buf.subarray(0, 4).toString("hex");
  // ELF, Mach-O (both byte orders, 32/64-bit, fat), PE ("MZ").
  return (
    ["7f454c46", "feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe"].includes(magic) || magic.startsWith("4d5a")
  );
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

/** A human-readable report for the CLI and for refusal messages. */
export function formatScanReport(report: ScanReport): string {
  if (report.findings.length === 0) return `scanned ${report.filesScanned} files: nothing suspicious`;
  const lines = [
    `scanned ${report.filesScanned} files: ${report.findings.length} findings (highest: ${report.maxSeverity})`,
  ];
  for (const f of report.findings)
    lines.push(
      `  [${f.severity}] ${f.ruleId} ${f.file}${f.line ? `:${f.line}` : ""} — ${f.message}${f.evidence ? `\n      ${f.evidence}` : ""}`,
    );
  return lines.join("\n");
}
