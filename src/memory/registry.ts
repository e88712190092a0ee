import { join } from "node:path";
import { findAgent } from "../agent/agents.js";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { PincerError } from "../errors.js";
import { type ResolvedMemorySearch, resolveMemorySearch } from "./config.js";
import type { EmbeddingProvider } from "./embeddings/provider.js";
import { resolveEmbeddingProvider } from "./embeddings/resolve.js";
import { MemoryIndex } from "./memory-index.js";

/** Where an agent's memory index lives (DESIGN.md §3): a cache next to its sessions, never in the workspace. */
export function memoryDbFile(paths: StatePaths, agentId: string): string {
  return join(paths.agentsDir, agentId, "memory.sqlite");
}

export interface MemoryIndexesOptions {
  config: () => PincerConfig;
  paths: StatePaths;
  env: NodeJS.ProcessEnv;
  /** Keep indexes fresh with file watchers (the gateway); the CLI syncs on demand instead. */
  watch: boolean;
  onError?: (err: unknown, what: string) => void;
}

/** The embedding provider for these settings, or the reason it cannot be used (lexical search then). */
export function embeddingsFor(
  settings: ResolvedMemorySearch,
  config: PincerConfig,
  env: NodeJS.ProcessEnv,
): { provider?: EmbeddingProvider; unavailable?: string } {
  try {
    const provider = resolveEmbeddingProvider(settings, config, env);
    return provider ? { provider } : {};
  } catch (err) {
    return { unavailable: (err as Error).message };
  }
}

/**
 * The memory indexes of a process, one per agent, opened on first use. A config change that touches an
 * agent's memory settings (or its workspace) replaces its index on the next use.
 */
export class MemoryIndexes {
  private readonly open = new Map<string, { signature: string; index: MemoryIndex }>();

  constructor(private readonly opts: MemoryIndexesOptions) {}

  get(agentId: string): MemoryIndex {
    const config = this.opts.config();
    const agent = findAgent(config, this.opts.paths, agentId);
    const settings = resolveMemorySearch(config, agent.id);
    if (!settings.enabled)
      throw new PincerError(
        "UNAVAILABLE",
        `memory search is turned off for agent "${agent.id}" (memorySearch.enabled is false in agents.defaults or agents.list)`,
      );
    const providerEntries = JSON.stringify(config.models.providers);
    const signature = JSON.stringify([agent.workspaceDir, settings, providerEntries]);
    const current = this.open.get(agent.id);
    if (current?.signature === signature) return current.index;
    if (current) void current.index.close().catch((err) => this.opts.onError?.(err, "closing a memory index"));
    const index = new MemoryIndex({
      dbFile: memoryDbFile(this.opts.paths, agent.id),
      workspace: agent.workspaceDir,
      settings,
      sessionsDir: join(this.opts.paths.agentsDir, agent.id, "sessions"),
      embeddings: embeddingsFor(settings, config, this.opts.env),
      ...(this.opts.onError ? { onError: this.opts.onError } : {}),
    });
    if (this.opts.watch) index.watch();
    this.open.set(agent.id, { signature, index });
    return index;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((e) => e.index.close()));
  }
}
