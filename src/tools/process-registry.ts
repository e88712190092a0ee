import { randomBytes } from "node:crypto";
import type { RunningProcess } from "../sandbox/run-process.js";

/** One command that outlived its exec call (background: true, or still running after backgroundMs). */
export interface ManagedProcess {
  id: string;
  agentId: string;
  sessionKey: string;
  command: string;
  where: string;
  timeoutMs: number;
  proc: RunningProcess;
  /** Output offset up to which `process poll` has already returned output. */
  readOffset: number;
}

/**
 * Background processes of the gateway, scoped per agent: an agent sees and controls only its own. Finished
 * entries are forgotten `cleanupMs` after they end; everything is killed when the gateway stops.
 */
export class ProcessRegistry {
  private readonly byId = new Map<string, ManagedProcess>();

  add(entry: Omit<ManagedProcess, "id" | "readOffset">): ManagedProcess {
    const managed: ManagedProcess = { ...entry, id: `proc_${randomBytes(4).toString("hex")}`, readOffset: 0 };
    this.byId.set(managed.id, managed);
    return managed;
  }

  list(agentId: string, cleanupMs: number): ManagedProcess[] {
    this.sweep(cleanupMs);
    return [...this.byId.values()].filter((p) => p.agentId === agentId);
  }

  get(agentId: string, id: string): ManagedProcess | undefined {
    const p = this.byId.get(id);
    return p && p.agentId === agentId ? p : undefined;
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  private sweep(cleanupMs: number): void {
    const cutoff = Date.now() - cleanupMs;
    for (const [id, p] of this.byId) {
      const exit = p.proc.exit;
      if (exit && p.proc.startedAt + exit.durationMs < cutoff) this.byId.delete(id);
    }
  }

  /** Kills every process (gateway shutdown) and waits for them to end. */
  async closeAll(): Promise<void> {
    const all = [...this.byId.values()];
    for (const p of all) p.proc.kill("abort");
    await Promise.all(all.map((p) => p.proc.done));
    this.byId.clear();
  }
}
