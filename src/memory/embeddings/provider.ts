import { z } from "zod";
import { PincerError } from "../../errors.js";

/** Turns text into vectors. One per configured provider; `key` names the vector space (provider, model, size). */
export interface EmbeddingProvider {
  /** "openai", "gemini", "ollama", "openai-compatible", "local" or a models.providers id. */
  id: string;
  model: string;
  /** Identity of the vector space: vectors with different keys are never compared or reused. */
  key: string;
  /** Asymmetric models embed questions and passages differently; the others ignore `kind`. */
  embed(texts: string[], kind: "query" | "document", signal?: AbortSignal): Promise<number[][]>;
  close?(): Promise<void>;
}

/** An embedding request that hangs must not hold up indexing or a search forever. */
export const EMBED_TIMEOUT_MS = 30_000;
/** Inputs per request: well under every provider's limit (OpenAI 2048, Gemini 100), small enough to retry. */
export const EMBED_BATCH_SIZE = 64;

/** POSTs JSON and parses the answer with `schema`; HTTP and network failures become UNAVAILABLE naming the URL. */
export async function postJson<S extends z.ZodType>(
  what: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  schema: S,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  const timeout = AbortSignal.timeout(EMBED_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    throw new PincerError("UNAVAILABLE", `${what} at ${redactUrl(url)} is unreachable: ${(err as Error).message}`, {
      retryable: true,
    });
  }
  const text = await res.text();
  if (!res.ok) {
    throw new PincerError(
      "UNAVAILABLE",
      `${what} at ${redactUrl(url)} answered HTTP ${res.status}: ${text.slice(0, 300)}`,
      { retryable: res.status === 429 || res.status >= 500 },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PincerError("UNAVAILABLE", `${what} at ${redactUrl(url)} answered with invalid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new PincerError(
      "UNAVAILABLE",
      `${what} at ${redactUrl(url)} answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  return parsed.data;
}

/** Query strings can carry keys (Gemini's ?key=): never put them in messages. */
function redactUrl(url: string): string {
  const u = new URL(url);
  u.search = "";
  return u.toString();
}

/** Splits `texts` into batches, embeds each, and checks one vector came back per input. */
export async function embedInBatches(
  texts: string[],
  batch: (slice: string[]) => Promise<number[][]>,
  what: string,
): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH_SIZE) {
    const slice = texts.slice(i, i + EMBED_BATCH_SIZE);
    const vectors = await batch(slice);
    if (vectors.length !== slice.length)
      throw new PincerError("UNAVAILABLE", `${what} returned ${vectors.length} vectors for ${slice.length} inputs`);
    out.push(...vectors);
  }
  return out;
}

export const VectorSchema = z.array(z.number()).min(1);
