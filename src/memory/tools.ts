import { z } from "zod";
import type { StatePaths } from "../config/paths.js";
import type { PincerConfig } from "../config/schema.js";
import { type AgentTool, defineTool, textResult } from "../tools/tool.js";
import type { MemoryIndex } from "./memory-index.js";
import type { MemoryIndexes } from "./registry.js";

/**
 * memory_search and memory_get (OpenClaw's names and arguments). The index code, SQLite and the embedding
 * clients load on the first call, not when the tools are created at gateway start; the indexes close when
 * `shutdownSignal` fires.
 */

export interface MemoryToolDeps {
  config: () => PincerConfig;
  paths: StatePaths;
  env: NodeJS.ProcessEnv;
  shutdownSignal: AbortSignal;
  onError?: (err: unknown, what: string) => void;
}

/** How much of a chunk a search result shows; memory_get reads the rest. */
const SNIPPET_CHARS = 700;

export function memoryTools(deps: MemoryToolDeps): AgentTool[] {
  let registry: Promise<MemoryIndexes> | undefined;
  const indexFor = async (agentId: string): Promise<MemoryIndex> => {
    registry ??= import("./registry.js").then(
      (m) =>
        new m.MemoryIndexes({
          config: deps.config,
          paths: deps.paths,
          env: deps.env,
          watch: true,
          ...(deps.onError ? { onError: deps.onError } : {}),
        }),
    );
    return (await registry).get(agentId);
  };
  deps.shutdownSignal.addEventListener(
    "abort",
    () => {
      void registry?.then((r) => r.close()).catch((err) => deps.onError?.(err, "closing memory indexes"));
    },
    { once: true },
  );
  return [memorySearchTool(indexFor), memoryGetTool(indexFor)];
}

const SearchArgs = z.object({
  query: z.string().min(1).describe("What to look for, in a few words or a question."),
  maxResults: z.number().int().min(1).max(50).optional().describe("How many results (default 6)."),
  minScore: z.number().min(0).max(1).optional().describe("Drop results below this relevance (semantic search only)."),
});

function memorySearchTool(indexFor: (agentId: string) => Promise<MemoryIndex>): AgentTool {
  return defineTool({
    name: "memory_search",
    description:
      "Search your memory files (MEMORY.md, memory/*.md) for facts, decisions, preferences and earlier notes. " +
      "Use before answering anything about past work, people, dates or preferences; then open the lines you need with memory_get.",
    parameters: SearchArgs,
    async execute(_id, args, ctx) {
      const index = await indexFor(ctx.agentId);
      const out = await index.search(
        args.query,
        {
          ...(args.maxResults !== undefined ? { maxResults: args.maxResults } : {}),
          ...(args.minScore !== undefined ? { minScore: args.minScore } : {}),
        },
        ctx.signal,
      );
      const results = out.results.map((r) => ({
        path: r.path,
        startLine: r.startLine,
        endLine: r.endLine,
        score: Math.round(r.score * 1000) / 1000,
        source: r.source,
        snippet: r.text.length > SNIPPET_CHARS ? `${r.text.slice(0, SNIPPET_CHARS)}…` : r.text,
      }));
      return textResult(
        JSON.stringify({ results, mode: out.mode, ...(out.notes.length ? { notes: out.notes } : {}) }, null, 1),
      );
    },
  });
}

const GetArgs = z.object({
  path: z.string().min(1).describe("A memory file path as memory_search returned it, e.g. memory/2025-01-31.md."),
  from: z.number().int().min(1).optional().describe("First line (1-based, default 1)."),
  lines: z.number().int().min(1).max(2000).optional().describe("How many lines (default 200)."),
});

function memoryGetTool(indexFor: (agentId: string) => Promise<MemoryIndex>): AgentTool {
  return defineTool({
    name: "memory_get",
    description:
      "Read lines of a memory file (MEMORY.md, memory/*.md), usually the range a memory_search result pointed to.",
    parameters: GetArgs,
    async execute(_id, args, ctx) {
      const index = await indexFor(ctx.agentId);
      const got = await index.get(args.path, args.from, args.lines);
      const more = got.truncated
        ? `\n[lines ${got.from}-${got.to} of ${got.total}; continue with from: ${got.to + 1}]`
        : "";
      return textResult(`${got.path} (lines ${got.from}-${got.to} of ${got.total})\n${got.text}${more}`);
    },
  });
}
