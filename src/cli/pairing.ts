import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

interface RequestRow {
  channel: string;
  accountId: string;
  senderId: string;
  senderLabel: string;
  code?: string;
  expiresAt: string;
}

export function registerPairingCommands(program: Command): void {
  const pairing = program
    .command("pairing")
    .description('approve or reject people who messaged a channel (dmPolicy "pairing")');

  targetOptions(pairing.command("list [channel]").description("pending pairing requests with their codes"))
    .option("--account <id>", "only this account")
    .option("--json", "print JSON")
    .action(async (channel: string | undefined, flags: TargetFlags & { account?: string; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{ requests: RequestRow[] }>("channels.pairing.list", {
          includeCodes: true,
          ...(channel ? { channel } : {}),
          ...(flags.account ? { accountId: flags.account } : {}),
        }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      if (result.requests.length === 0) {
        process.stdout.write("No pending pairing requests.\n");
        return;
      }
      for (const r of result.requests) {
        const who = r.senderLabel !== r.senderId ? `${r.senderLabel} (${r.senderId})` : r.senderId;
        process.stdout.write(`${r.channel}/${r.accountId}  ${r.code ?? "?"}  ${who}  expires ${r.expiresAt}\n`);
      }
    });

  targetOptions(
    pairing.command("approve <channel> <code>").description("let the sender of this code talk to the assistant"),
  )
    .option("--account <id>", "the account the code was issued on")
    .option("--notify", "tell the sender they were approved")
    .action(async (channel: string, code: string, flags: TargetFlags & { account?: string; notify?: boolean }) => {
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{ senderId: string; notification: string }>("channels.pairing.approve", {
          channel,
          code,
          ...(flags.account ? { accountId: flags.account } : {}),
          ...(flags.notify ? { notify: true } : {}),
        }),
      );
      const notice = result.notification === "sent" ? " (notified)" : "";
      process.stdout.write(`Approved ${channel} sender ${result.senderId}${notice}.\n`);
    });

  targetOptions(
    pairing.command("reject <channel> <code>").description("drop a pending request (the sender may ask again)"),
  )
    .option("--account <id>", "the account the code was issued on")
    .action(async (channel: string, code: string, flags: TargetFlags & { account?: string }) => {
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{ senderId: string }>("channels.pairing.dismiss", {
          channel,
          code,
          ...(flags.account ? { accountId: flags.account } : {}),
        }),
      );
      process.stdout.write(`Rejected ${channel} sender ${result.senderId}.\n`);
    });
}
