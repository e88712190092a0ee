import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "../../config/write.js";
import { PincerError } from "../../errors.js";

/**
 * Pending exec approvals and allow-always grants. A request is bound to the exact command text, argv and cwd
 * it was raised for: approving it runs that and nothing else, and an allow-always grant matches only the same
 * command in the same directory for the same agent. Grants persist in <stateDir>/exec-approvals.json.
 */

export const APPROVAL_DECISIONS = ["allow-once", "allow-always", "deny"] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export interface ApprovalRequest {
  command: string;
  commandArgv: string[];
  cwd: string;
  host: string;
  agentId: string;
  sessionKey: string;
  /** Why approval is needed (the allowlist miss, ask "always" …). */
  reason: string;
}

export interface PendingApproval {
  id: string;
  request: ApprovalRequest;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface ApprovalOutcome {
  decision: ApprovalDecision | null;
  /** Set when no decision came: "expired" or "aborted". */
  unanswered?: "expired" | "aborted";
  resolvedBy?: string;
}

const GrantSchema = z.object({
  id: z.string(),
  agentId: z.string(),
  command: z.string(),
  cwd: z.string(),
  createdAtMs: z.number(),
});
const GrantsFileSchema = z.object({ version: z.literal(1), grants: z.array(GrantSchema) });
type Grant = z.infer<typeof GrantSchema>;

interface Waiter {
  pending: PendingApproval;
  settle: (outcome: ApprovalOutcome) => void;
}

export class ExecApprovals {
  private readonly waiting = new Map<string, Waiter>();
  private grants: Promise<Grant[]> | undefined;

  constructor(
    private readonly opts: {
      grantsFile: string;
      broadcast: (event: string, payload: unknown) => void;
    },
  ) {}

  /** Raises a request, broadcasts `exec.approval.requested`, and waits for a decision, the timeout or the signal. */
  request(request: ApprovalRequest, timeoutMs: number, signal: AbortSignal): Promise<ApprovalOutcome> {
    const now = Date.now();
    const pending: PendingApproval = { id: randomUUID(), request, createdAtMs: now, expiresAtMs: now + timeoutMs };
    return new Promise<ApprovalOutcome>((resolve) => {
      const timer = setTimeout(() => finish({ decision: null, unanswered: "expired" }), timeoutMs);
      const onAbort = () => finish({ decision: null, unanswered: "aborted" });
      const finish = (outcome: ApprovalOutcome) => {
        if (!this.waiting.delete(pending.id)) return;
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.opts.broadcast("exec.approval.resolved", {
          id: pending.id,
          decision: outcome.decision ?? "deny",
          resolvedBy: outcome.resolvedBy ?? outcome.unanswered ?? null,
          ts: Date.now(),
          request,
        });
        resolve(outcome);
      };
      this.waiting.set(pending.id, { pending, settle: finish });
      signal.addEventListener("abort", onAbort, { once: true });
      this.opts.broadcast("exec.approval.requested", { approvalKind: "exec", ...pending });
      if (signal.aborted) onAbort();
    });
  }

  list(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.pending).sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  get(id: string): PendingApproval {
    return this.find(id).pending;
  }

  /** Settles a pending request; allow-always also records a grant for this command and cwd. */
  async resolve(id: string, decision: ApprovalDecision, resolvedBy?: string): Promise<PendingApproval> {
    const waiter = this.find(id);
    if (decision === "allow-always") {
      const { agentId, command, cwd } = waiter.pending.request;
      await this.addGrant({ id: randomUUID(), agentId, command, cwd, createdAtMs: Date.now() });
    }
    waiter.settle({ decision, ...(resolvedBy ? { resolvedBy } : {}) });
    return waiter.pending;
  }

  async hasGrant(agentId: string, command: string, cwd: string): Promise<boolean> {
    const grants = await this.loadGrants();
    return grants.some((g) => g.agentId === agentId && g.command === command && g.cwd === cwd);
  }

  /** Denies everything pending (gateway shutdown). */
  close(): void {
    for (const w of [...this.waiting.values()]) w.settle({ decision: null, unanswered: "aborted" });
  }

  private find(id: string): Waiter {
    const exact = this.waiting.get(id);
    if (exact) return exact;
    // Let people type a unique prefix of the id, as they do with git hashes.
    const matches = [...this.waiting.values()].filter((w) => id.length >= 4 && w.pending.id.startsWith(id));
    if (matches.length === 1) return matches[0] as Waiter;
    throw new PincerError(
      "NOT_FOUND",
      matches.length > 1
        ? `approval id "${id}" is ambiguous: give more characters`
        : `no pending approval "${id}": it was already resolved or expired (pincer approvals list shows pending ones)`,
    );
  }

  private loadGrants(): Promise<Grant[]> {
    this.grants ??= readFile(this.opts.grantsFile, "utf8").then(
      (raw) => {
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const parsed = GrantsFileSchema.safeParse(json);
        if (!parsed.success)
          throw new PincerError("CONFIG_INVALID", `${this.opts.grantsFile} is malformed; fix or delete it`);
        return parsed.data.grants;
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return [];
        throw err;
      },
    );
    this.grants.catch(() => {
      this.grants = undefined;
    });
    return this.grants;
  }

  private async addGrant(grant: Grant): Promise<void> {
    const grants = [...(await this.loadGrants()), grant];
    await writeFileAtomic(this.opts.grantsFile, `${JSON.stringify({ version: 1, grants }, null, 2)}\n`);
    this.grants = Promise.resolve(grants);
  }
}
