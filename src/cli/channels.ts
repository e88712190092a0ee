import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

interface AccountRow {
  accountId: string;
  configured: boolean;
  running: boolean;
  connected: boolean;
  lastError: string | null;
  lastInboundAt: number | null;
  botName?: string;
  mode?: string;
}

function ago(ts: number | null, now: number): string {
  if (ts === null) return "never";
  const s = Math.max(0, Math.round((now - ts) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

export function registerChannelCommands(program: Command): void {
  const channels = program.command("channels").description("messaging channels: status, start, stop");

  targetOptions(
    channels.command("status").description("show each channel account: configured, running, connected, last error"),
  )
    .option("--channel <id>", "only this channel")
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { channel?: string; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const status = await withClient(flags, (c) =>
        c.call<{
          ts: number;
          channelOrder: string[];
          channelLabels: Record<string, string>;
          channelAccounts: Record<string, AccountRow[]>;
        }>("channels.status", flags.channel ? { channel: flags.channel } : {}),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      if (status.channelOrder.length === 0) {
        process.stdout.write(
          "No channels configured. Add one under `channels` in pincer.json (e.g. channels.telegram.botToken).\n",
        );
        return;
      }
      const lines: string[] = [];
      for (const id of status.channelOrder) {
        for (const a of status.channelAccounts[id] ?? []) {
          const state = !a.configured
            ? "not configured"
            : a.connected
              ? "connected"
              : a.running
                ? "connecting"
                : "stopped";
          const who = a.botName ? ` ${a.botName}` : "";
          const mode = a.mode ? ` (${a.mode})` : "";
          lines.push(
            `${status.channelLabels[id] ?? id}/${a.accountId}${who}${mode}: ${state} · last message ${ago(a.lastInboundAt, status.ts)}`,
          );
          if (a.lastError) lines.push(`  last error: ${a.lastError}`);
        }
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  for (const [name, method, verb] of [
    ["start", "channels.start", "started"],
    ["stop", "channels.stop", "stopped"],
  ] as const) {
    targetOptions(channels.command(`${name} <channel>`).description(`${name} a channel's accounts (all, or --account)`))
      .option("--account <id>", "only this account")
      .action(async (channel: string, flags: TargetFlags & { account?: string }) => {
        const { withClient } = await import("./target.js");
        const result = await withClient(flags, (c) =>
          c.call<{ accountIds: string[] }>(method, { channel, ...(flags.account ? { accountId: flags.account } : {}) }),
        );
        process.stdout.write(`${verb} ${channel}: ${result.accountIds.join(", ")}\n`);
      });
  }
}
