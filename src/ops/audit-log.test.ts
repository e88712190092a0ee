import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkLine, sealLine } from "./audit-chain.js";
import { AUDIT_FILE, AuditLog } from "./audit-log.js";
import { readAuditTail, verifyAuditLog } from "./audit-verify.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-audit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const live = () => join(dir, AUDIT_FILE);
const lines = () => readFileSync(live(), "utf8").trimEnd().split("\n");
const writeLines = (ls: string[]) => writeFileSync(live(), `${ls.join("\n")}\n`);

async function logOf(n: number, opts: ConstructorParameters<typeof AuditLog>[1] = {}): Promise<AuditLog> {
  const log = new AuditLog(dir, opts);
  for (let i = 1; i <= n; i += 1) void log.record("tool.run", { tool: "exec", i }, "client:test");
  await log.flush();
  return log;
}

describe("audit log", () => {
  it("chains entries in order, even when recorded concurrently, and verifies clean", async () => {
    await logOf(30);
    const entries = lines().map((l) => JSON.parse(l));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(entries[0].prev).toBe("0".repeat(64));
    for (let i = 1; i < entries.length; i += 1) expect(entries[i].prev).toBe(entries[i - 1].hash);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: true, entries: 30, problems: [], last: { seq: 30 } });
  });

  it("carries the chain on after a restart", async () => {
    await logOf(3);
    const again = new AuditLog(dir);
    await again.record("gateway.start", { pid: 1 });
    expect(JSON.parse(lines()[3] as string)).toMatchObject({ seq: 4, type: "gateway.start" });
    expect((await verifyAuditLog(dir)).ok).toBe(true);
  });

  it("detects one edited line (content changed, hash left as it was)", async () => {
    await logOf(5);
    const ls = lines();
    ls[2] = (ls[2] as string).replace('"tool":"exec"', '"tool":"read"');
    writeLines(ls);
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { file: AUDIT_FILE, line: 3, problem: "content does not match its hash (the line was edited)" },
    ]);
  });

  it("detects an edited line whose hash was recomputed, at the next line's link", async () => {
    await logOf(5);
    const ls = lines();
    const entry = JSON.parse(ls[1] as string);
    const { hash: _old, ...body } = entry;
    ls[1] = sealLine({ ...body, data: { tool: "nothing to see" } }).line;
    expect(checkLine(ls[1] as string).ok).toBe(true);
    writeLines(ls);
    const report = await verifyAuditLog(dir);
    expect(report.problems).toEqual([
      expect.objectContaining({ line: 3, seq: 3, problem: expect.stringMatching(/does not link to the line before/) }),
    ]);
  });

  it("detects removed lines in the middle and at the end", async () => {
    await logOf(6);
    const ls = lines();
    writeLines([...ls.slice(0, 2), ...ls.slice(3)]);
    expect((await verifyAuditLog(dir)).problems).toEqual([
      expect.objectContaining({ line: 3, seq: 4, problem: "entries 3–3 are missing" }),
    ]);
    writeLines(ls.slice(0, 4));
    expect((await verifyAuditLog(dir)).problems).toEqual([
      expect.objectContaining({
        file: "head.json",
        problem: expect.stringMatching(/records entry 6, but the log ends at 4/),
      }),
    ]);
  });

  it("treats a torn last line as a crash, drops it at the next open and records that", async () => {
    await logOf(2);
    appendFileSync(live(), '{"seq":3,"ts":"2026-');
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([
      expect.objectContaining({ line: 3, problem: expect.stringMatching(/cut short/) }),
    ]);
    const log = new AuditLog(dir);
    await log.record("gateway.start", {});
    expect(lines().map((l) => JSON.parse(l).type)).toEqual([
      "tool.run",
      "tool.run",
      "audit.recovered",
      "gateway.start",
    ]);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, warnings: [], entries: 4 });
  });

  it("refuses to append after a damaged last line rather than hide it", async () => {
    await logOf(2);
    const ls = lines();
    ls[1] = (ls[1] as string).replace("exec", "EXEC");
    writeLines(ls);
    const errors: unknown[] = [];
    const log = new AuditLog(dir, { log: { error: (o: unknown) => errors.push(o) } as never });
    await log.record("gateway.start", {});
    expect(lines()).toHaveLength(2);
    expect(errors).toHaveLength(1);
  });

  it("rotates segments past rotateBytes and verifies and tails across them", async () => {
    await logOf(40, { rotateBytes: 2_000 });
    const files = readdirSync(dir)
      .filter((n) => n.endsWith(".jsonl"))
      .sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files[0]).toBe("audit.000000000001.jsonl");
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 40 });
    const tail = await readAuditTail(dir, 25);
    expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 16));
    // A removed rotated segment is a gap in the chain.
    rmSync(join(dir, files[1] as string));
    const report = await verifyAuditLog(dir);
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.problem).toMatch(/are missing/);
  });

  it("tails by type family", async () => {
    const log = await logOf(3);
    await log.record("config.change", { changed: ["gateway.port"] });
    await log.record("config.write", { method: "config.patch" });
    expect((await readAuditTail(dir, 10, "config")).map((e) => e.type)).toEqual(["config.change", "config.write"]);
    expect(await readAuditTail(join(dir, "none"), 10)).toEqual([]);
  });
});
