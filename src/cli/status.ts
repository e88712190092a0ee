import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

export function registerStatusCommands(program: Command): void {
  targetOptions(program.command("status").description("show the running gateway's status"))
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const status = await withClient(flags, (c) => c.call<Record<string, unknown>>("status"));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const gw = status.gateway as { url: string; authMode: string };
      const mem = status.memory as { rssBytes: number };
      const agent = status.agent as { model?: { configured: boolean; ref?: string; hint?: string } } | null;
      const lines = [
        `Pincer ${status.version} — ${gw.url} (auth ${gw.authMode})`,
        `uptime ${Math.round(Number(status.uptimeMs) / 1000)} s · pid ${status.pid} · RSS ${(mem.rssBytes / 1048576).toFixed(1)} MB · ${status.connections} connection(s)`,
        `state ${status.stateDir}`,
        `config ${status.configPath}`,
      ];
      if (agent?.model)
        lines.push(agent.model.configured ? `model ${agent.model.ref}` : `model: none — ${agent.model.hint}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  targetOptions(program.command("logs").description("print the gateway log (JSON lines)"))
    .option("-f, --follow", "keep printing new lines")
    .option("--limit <n>", "lines to show first", "200")
    .option("--interval <ms>", "poll interval with --follow", "1000")
    .action(async (flags: TargetFlags & { follow?: boolean; limit: string; interval: string }) => {
      const limit = Number(flags.limit);
      const interval = Number(flags.interval);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a positive integer, got "${flags.limit}"`);
      if (!Number.isFinite(interval) || interval < 100)
        throw new Error(`--interval must be at least 100 ms, got "${flags.interval}"`);
      const { withClient } = await import("./target.js");
      await withClient(flags, async (client) => {
        let result = await client.call<{ cursor: number; lines: string[] }>("logs.tail", { limit });
        for (const line of result.lines) process.stdout.write(`${line}\n`);
        while (flags.follow) {
          await new Promise((r) => setTimeout(r, interval));
          result = await client.call("logs.tail", { cursor: result.cursor, limit: 5000 });
          for (const line of result.lines) process.stdout.write(`${line}\n`);
        }
      });
    });
}
