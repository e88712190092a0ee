import type { Command } from "commander";
import type { TargetFlags } from "./target.js";
import { targetOptions } from "./target-options.js";

export function registerAgentCommands(program: Command): void {
  targetOptions(program.command("agent").description("send one message to the agent and print the reply as it streams"))
    .requiredOption("-m, --message <text>", "the message")
    .option("--session <key>", "session key", "main")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--json", "print the final result as JSON instead of streaming text")
    .action(async (flags: TargetFlags & { message: string; session: string; agent?: string; json?: boolean }) => {
      const { runAgentMessage } = await import("./agent-run.js");
      await runAgentMessage(flags);
    });

  const sessions = program.command("sessions").description("list, show and reset sessions");
  targetOptions(sessions.command("list").description("list sessions, most recent first"))
    .option("--limit <n>", "at most this many", "50")
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { limit: string; json?: boolean }) => {
      const limit = positiveInt(flags.limit, "--limit");
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{
          sessions: { key: string; updatedAt: number; totalTokens: number; estimatedCostUsd: number; model?: string }[];
        }>("sessions.list", { limit }),
      );
      if (flags.json) return print(result);
      if (result.sessions.length === 0) return void process.stdout.write("no sessions yet\n");
      for (const s of result.sessions) {
        process.stdout.write(
          `${s.key}  ${new Date(s.updatedAt).toISOString()}  ${s.totalTokens} tokens  $${s.estimatedCostUsd.toFixed(4)}${s.model ? `  ${s.model}` : ""}\n`,
        );
      }
    });
  targetOptions(sessions.command("show <key>").description("print a session's recent messages"))
    .option("--limit <n>", "messages", "50")
    .option("--json", "print JSON")
    .action(async (key: string, flags: TargetFlags & { limit: string; json?: boolean }) => {
      const limit = positiveInt(flags.limit, "--limit");
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{ messages: { role: string; content: unknown }[] }>("chat.history", { sessionKey: key, limit }),
      );
      if (flags.json) return print(result);
      const { messageText } = await import("../sessions/messages.js");
      for (const m of result.messages) process.stdout.write(`${m.role}: ${messageText(m as never)}\n`);
    });
  targetOptions(
    sessions.command("reset <key>").description("start a fresh session for this key (the old transcript is archived)"),
  ).action(async (key: string, flags: TargetFlags) => {
    const { withClient } = await import("./target.js");
    const result = await withClient(flags, (c) =>
      c.call<{ key: string; entry: { sessionId: string } }>("sessions.reset", { key }),
    );
    process.stdout.write(`${result.key} → new session ${result.entry.sessionId}\n`);
  });

  const models = program.command("models").description("list models and provider status");
  targetOptions(models.command("list").description("models the gateway knows, and which are usable"))
    .option("--all", "include models whose provider has no key")
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { all?: boolean; json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) =>
        c.call<{
          models: {
            id: string;
            provider: string;
            available: boolean;
            contextWindow: number;
            unavailableReason?: string;
          }[];
        }>("models.list", { refresh: true }),
      );
      const rows = flags.all ? result.models : result.models.filter((m) => m.available);
      if (flags.json) return print({ models: rows });
      if (rows.length === 0)
        process.stdout.write(
          "no usable model: run `pincer models list --all`, and `pincer models status` for what to set\n",
        );
      for (const m of rows)
        process.stdout.write(
          `${m.provider}/${m.id}  ctx ${m.contextWindow}${m.available ? "" : `  (${m.unavailableReason ?? "unavailable"})`}\n`,
        );
    });
  targetOptions(
    models.command("status").description("the default model and each provider's keys, cooldowns and errors"),
  )
    .option("--json", "print JSON")
    .action(async (flags: TargetFlags & { json?: boolean }) => {
      const { withClient } = await import("./target.js");
      const result = await withClient(flags, (c) => c.call<Record<string, unknown>>("usage.status"));
      if (flags.json) return print(result);
      const model = result.model as { configured: boolean; ref?: string; hint?: string };
      process.stdout.write(model.configured ? `default model: ${model.ref}\n` : `${model.hint}\n`);
      for (const p of result.providers as {
        provider: string;
        configured: boolean;
        profiles: { key: string; available: boolean; unavailableReason?: string; cooldownUntil?: number }[];
      }[]) {
        if (!p.configured) continue;
        for (const k of p.profiles) {
          const state = k.available
            ? "ok"
            : `${k.unavailableReason}${k.cooldownUntil ? ` until ${new Date(k.cooldownUntil).toISOString()}` : ""}`;
          process.stdout.write(`${p.provider} key …${k.key}: ${state}\n`);
        }
      }
    });
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}
