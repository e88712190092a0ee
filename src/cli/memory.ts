import type { Command } from "commander";

/**
 * `pincer memory search|status|reindex`: the agent's memory index, used directly on this machine (no gateway
 * needed; SQLite lets a running gateway and the CLI share the file).
 */

interface AgentFlags {
  agent?: string;
  json?: boolean;
}

async function openIndex(flags: AgentFlags) {
  const { resolveStatePaths } = await import("../config/paths.js");
  const { loadConfig } = await import("../config/load.js");
  const { defaultAgent, findAgent } = await import("../agent/agents.js");
  const { MemoryIndexes } = await import("../memory/registry.js");
  const paths = resolveStatePaths(process.env);
  const { config } = await loadConfig(paths.configPath, process.env);
  const agent = flags.agent ? findAgent(config, paths, flags.agent) : defaultAgent(config, paths);
  const indexes = new MemoryIndexes({ config: () => config, paths, env: process.env, watch: false });
  return { agent, indexes, index: indexes.get(agent.id) };
}

function print(flags: AgentFlags, value: unknown, text: () => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export function registerMemoryCommands(program: Command): void {
  const memory = program.command("memory").description("search and maintain the agent's memory index");

  memory
    .command("search <query...>")
    .description("search MEMORY.md and memory/*.md (lexical; hybrid when an embedding provider is configured)")
    .option("--agent <id>", "agent whose memory to search (default: the default agent)")
    .option("--max <n>", "results to show")
    .option("--json", "print JSON")
    .action(async (words: string[], flags: AgentFlags & { max?: string }) => {
      const max = flags.max === undefined ? undefined : Number(flags.max);
      if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 100))
        throw new Error(`--max must be an integer from 1 to 100, got "${flags.max}"`);
      const { indexes, index } = await openIndex(flags);
      try {
        const out = await index.search(words.join(" "), max ? { maxResults: max } : {});
        print(flags, out, () => {
          const lines = out.results.map(
            (r) =>
              `${r.path}:${r.startLine}-${r.endLine}  (${r.score.toFixed(3)})\n  ${r.text.replace(/\s+/g, " ").slice(0, 200)}`,
          );
          if (lines.length === 0) lines.push("no matches");
          for (const note of out.notes) lines.push(`note: ${note}`);
          return lines.join("\n");
        });
      } finally {
        await indexes.close();
      }
    });

  memory
    .command("status")
    .description("show what the memory index holds and how it searches")
    .option("--agent <id>", "agent (default: the default agent)")
    .option("--json", "print JSON")
    .action(async (flags: AgentFlags) => {
      const { agent, indexes, index } = await openIndex(flags);
      try {
        const s = await index.status();
        print(flags, { agentId: agent.id, ...s }, () =>
          [
            `agent ${agent.id} · workspace ${s.workspace}`,
            `index ${s.dbFile}${s.dbBytes !== undefined ? ` (${(s.dbBytes / 1024).toFixed(0)} KiB)` : ""}`,
            `${s.files} files · ${s.chunks} chunks · ${s.embedded} embedded`,
            `search ${s.mode} · provider ${s.provider}${s.model ? ` (${s.model})` : ""} · tokenizer ${s.tokenizer}`,
            ...(s.vector.reason ? [`semantic search: ${s.vector.reason}`] : []),
            ...(s.lastSync?.report.embedError ? [`embedding: ${s.lastSync.report.embedError}`] : []),
            ...s.skipped.map((k) => `not indexed: ${k.path} — ${k.reason}`),
            ...(s.rebuilt ? [`rebuilt: ${s.rebuilt}`] : []),
          ].join("\n"),
        );
      } finally {
        await indexes.close();
      }
    });

  memory
    .command("reindex")
    .description("bring the index up to date with the memory files (--force: rebuild every chunk)")
    .option("--agent <id>", "agent (default: the default agent)")
    .option("--force", "re-chunk every file (embeddings of unchanged text come from the cache)")
    .option("--json", "print JSON")
    .action(async (flags: AgentFlags & { force?: boolean }) => {
      const { agent, indexes, index } = await openIndex(flags);
      try {
        const report = await index.sync({ force: flags.force ?? false });
        print(flags, { agentId: agent.id, ...report }, () =>
          [
            `agent ${agent.id}: ${report.files} files, ${report.indexed.length} indexed, ${report.removed.length} removed, ${report.embedded} chunks embedded`,
            ...report.skipped.map((k) => `not indexed: ${k.path} — ${k.reason}`),
            ...(report.embedError ? [`embedding failed: ${report.embedError} (lexical search still works)`] : []),
          ].join("\n"),
        );
      } finally {
        await indexes.close();
      }
    });
}
