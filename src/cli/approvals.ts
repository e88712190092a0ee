import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

interface PendingApproval {
  id: string;
  request: { command: string; cwd: string; host: string; agentId: string; sessionKey: string; reason: string };
  createdAtMs: number;
  expiresAtMs: number;
}

/** `pincer approvals list|approve|deny`: pending exec approvals of the running gateway. */
export function registerApprovalsCommands(program: Command): void {
  const approvals = program.command("approvals").description("list and resolve pending exec approvals");

  targetOptions(approvals.command("list").description("show commands waiting for approval"))
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const list = await withClient(flags, (c) => c.call<PendingApproval[]>("exec.approval.list"));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.length === 0) {
        process.stdout.write("No pending approvals.\n");
        return;
      }
      const now = Date.now();
      for (const a of list) {
        const left = Math.max(0, Math.round((a.expiresAtMs - now) / 1000));
        process.stdout.write(
          `${a.id}  agent ${a.request.agentId} · ${a.request.sessionKey} · expires in ${left} s\n  $ ${a.request.command}\n  cwd ${a.request.cwd} on ${a.request.host}\n  why: ${a.request.reason}\n`,
        );
      }
    });

  const send = async (id: string, decision: string, flags: TargetFlags) => {
    const { withClient } = await import("./target.js");
    await withClient(flags, (c) => c.call("exec.approval.resolve", { id, decision }));
    process.stdout.write(`${id}: ${decision}\n`);
  };
  targetOptions(approvals.command("approve <id>").description("let a pending command run"))
    .option("--always", "also allow this exact command in this directory from now on")
    .action((id: string, flags: TargetFlags & { always?: boolean }) =>
      send(id, flags.always ? "allow-always" : "allow-once", flags),
    );
  targetOptions(approvals.command("deny <id>").description("refuse a pending command")).action(
    (id: string, flags: TargetFlags) => send(id, "deny", flags),
  );
}
