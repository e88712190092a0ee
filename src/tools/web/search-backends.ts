import { z } from "zod";
import { PincerError } from "../../errors.js";
import { guardedFetch, type SsrfPolicy } from "./guarded-fetch.js";

/** One search hit, whatever the backend. */
export interface SearchHit {
  title: string;
  url: string;
  snippet: string;
}

export type SearchProvider = "brave" | "tavily" | "searxng";

export interface SearchRequest {
  provider: SearchProvider;
  query: string;
  count: number;
  apiKey?: string | undefined;
  /** API origin override (a SearXNG instance, or a proxy in front of Brave/Tavily). */
  baseUrl?: string | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Search API answers are capped at this many bytes; a page of results is a few KB. */
const MAX_RESPONSE_BYTES = 2_000_000;

const BraveResponse = z.looseObject({
  web: z
    .looseObject({
      results: z
        .array(z.looseObject({ title: z.string(), url: z.string(), description: z.string().optional() }))
        .default([]),
    })
    .optional(),
});
const TavilyResponse = z.looseObject({
  results: z.array(z.looseObject({ title: z.string(), url: z.string(), content: z.string().optional() })).default([]),
});
const SearxResponse = z.looseObject({
  results: z.array(z.looseObject({ title: z.string(), url: z.string(), content: z.string().optional() })).default([]),
});

const DEFAULT_ORIGINS: Record<SearchProvider, string | undefined> = {
  brave: "https://api.search.brave.com",
  tavily: "https://api.tavily.com",
  searxng: undefined,
};

export async function search(req: SearchRequest): Promise<SearchHit[]> {
  const origin = (req.baseUrl ?? DEFAULT_ORIGINS[req.provider])?.replace(/\/+$/, "");
  if (!origin) throw new PincerError("CONFIG_INVALID", "SearXNG needs tools.web.search.baseUrl (the instance URL)");
  // The configured endpoint is the operator's choice: it may live on a private network (a local SearXNG).
  const ssrf: SsrfPolicy = { allowedHostnames: [new URL(origin).hostname], allowPrivate: false };
  const common = { maxBytes: MAX_RESPONSE_BYTES, timeoutMs: req.timeoutMs, maxRedirects: 2, ssrf, signal: req.signal };
  switch (req.provider) {
    case "brave": {
      const url = `${origin}/res/v1/web/search?q=${encodeURIComponent(req.query)}&count=${req.count}`;
      const res = await guardedFetch(url, {
        ...common,
        headers: { accept: "application/json", "x-subscription-token": needKey(req) },
      });
      const data = parse(BraveResponse, res.status, res.body, "Brave");
      return (data.web?.results ?? []).map((r) => ({ title: r.title, url: r.url, snippet: r.description ?? "" }));
    }
    case "tavily": {
      const res = await guardedFetch(`${origin}/search`, {
        ...common,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${needKey(req)}` },
        body: JSON.stringify({ query: req.query, max_results: req.count }),
      });
      const data = parse(TavilyResponse, res.status, res.body, "Tavily");
      return data.results.map((r) => ({ title: r.title, url: r.url, snippet: r.content ?? "" }));
    }
    case "searxng": {
      const res = await guardedFetch(`${origin}/search?q=${encodeURIComponent(req.query)}&format=json`, {
        ...common,
        headers: { accept: "application/json" },
      });
      const data = parse(SearxResponse, res.status, res.body, "SearXNG");
      return data.results.map((r) => ({ title: r.title, url: r.url, snippet: r.content ?? "" }));
    }
  }
}

function needKey(req: SearchRequest): string {
  if (!req.apiKey) {
    const env = req.provider === "brave" ? "BRAVE_API_KEY" : "TAVILY_API_KEY";
    throw new PincerError(
      "CONFIG_INVALID",
      `${req.provider} search needs an API key: set tools.web.search.apiKey or ${env}`,
    );
  }
  return req.apiKey;
}

function parse<T extends z.ZodType>(schema: T, status: number, body: Buffer, name: string): z.infer<T> {
  if (status === 401 || status === 403)
    throw new PincerError(
      "UNAUTHORIZED",
      `${name} rejected the API key (HTTP ${status}); check tools.web.search.apiKey`,
    );
  if (status === 429)
    throw new PincerError("RATE_LIMITED", `${name} rate-limited the search; try again later`, { retryable: true });
  if (status >= 400)
    throw new PincerError("UNAVAILABLE", `${name} answered HTTP ${status}`, { retryable: status >= 500 });
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new PincerError("UNAVAILABLE", `${name} did not answer with JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PincerError("UNAVAILABLE", `${name} answered in an unexpected shape`);
  return parsed.data;
}
