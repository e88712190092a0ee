/** The machine a benchmark ran on, for the line above each results table. */
import { cpus, loadavg, totalmem } from "node:os";
import { round } from "./stats.mjs";

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    ramGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: loadavg().map((x) => round(x, 2)),
    date: new Date().toISOString().slice(0, 10),
  };
}
