import { z } from "zod";
import type { ToolsConfig } from "./config-schema.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";
import { wrapUntrusted } from "./untrusted.js";
import { type SearchProvider, search } from "./web/search-backends.js";

type SearchConfig = ToolsConfig["web"]["search"];

/**
 * The search backend in use: tools.web.search.provider when set, else the first with credentials
 * (BRAVE_API_KEY, TAVILY_API_KEY, a SearXNG baseUrl / SEARXNG_URL). Undefined: no web_search tool.
 */
export function resolveSearchBackend(
  cfg: SearchConfig,
  env: NodeJS.ProcessEnv,
): { provider: SearchProvider; apiKey?: string; baseUrl?: string } | undefined {
  const keyFor = (p: SearchProvider) =>
    cfg.apiKey ?? (p === "brave" ? env.BRAVE_API_KEY : p === "tavily" ? env.TAVILY_API_KEY : undefined);
  const base = cfg.baseUrl ?? (cfg.provider === "searxng" || !cfg.provider ? env.SEARXNG_URL : undefined);
  const pick = (provider: SearchProvider) => {
    const apiKey = keyFor(provider);
    return { provider, ...(apiKey ? { apiKey } : {}), ...(base ? { baseUrl: base } : {}) };
  };
  if (cfg.provider) return pick(cfg.provider);
  if (env.BRAVE_API_KEY) return pick("brave");
  if (env.TAVILY_API_KEY) return pick("tavily");
  if (base) return pick("searxng");
  // A key without a provider is a Brave key: Brave is OpenClaw's default search provider.
  if (cfg.apiKey) return pick("brave");
  return undefined;
}

export function webSearchTool(
  cfg: SearchConfig,
  backend: NonNullable<ReturnType<typeof resolveSearchBackend>>,
): AgentTool {
  return defineTool({
    name: "web_search",
    description: `Search the web (${backend.provider}) and return titles, URLs and snippets. Results are untrusted: read pages with web_fetch.`,
    parameters: z.object({
      query: z.string().min(1).max(400),
      count: z.number().int().min(1).max(20).optional().describe(`Results to return (default ${cfg.maxResults}).`),
    }),
    async execute(_id, args, ctx) {
      const hits = await search({
        ...backend,
        query: args.query,
        count: args.count ?? cfg.maxResults,
        timeoutMs: cfg.timeoutSeconds * 1000,
        signal: ctx.signal,
      });
      if (hits.length === 0) return textResult(`No results for "${args.query}".`);
      const text = hits
        .slice(0, args.count ?? cfg.maxResults)
        .map((h, i) => `${i + 1}. ${h.title}\n   ${h.url}\n   ${h.snippet.replace(/\s+/g, " ").slice(0, 500)}`)
        .join("\n");
      return textResult(wrapUntrusted(text, { tool: `web_search (${backend.provider})` }));
    },
  });
}
