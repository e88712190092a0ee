/** Process helpers for benchmarks: process trees and their memory from /proc, free ports, waiting. */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** pid and every descendant, found by walking /proc/<pid>/stat parent links (Linux only). */
export function processTree(rootPid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const tree = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function statusField(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes, summed over the process and its descendants (shared pages count once per process). */
export function treeRss(rootPid) {
  const pids = processTree(rootPid);
  return { bytes: pids.reduce((sum, pid) => sum + statusField(pid, "VmRSS"), 0), processes: pids.length };
}

/** CPU time (user + system) in ms used so far by one process, from /proc/<pid>/stat. */
export function cpuTimeMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command); clock ticks are 100 Hz on Linux.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM, then SIGKILL for the process and whatever descendants it had when asked to stop if they have not
 * exited within graceMs (a gateway's workers must not outlive the benchmark).
 */
export async function stopProcess(child, graceMs = 5_000) {
  const tree = child.pid ? processTree(child.pid) : [];
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
  await sleep(100);
  for (const pid of tree.slice(1)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
