import { z } from "zod";
import { OLLAMA_DEFAULT_BASE_URL } from "./catalog.js";

/**
 * Is a local Ollama running, and which models does it have? Asked lazily (never at start-up), with a short
 * timeout, and remembered for a while so listing models does not hit the server every time.
 */

/** Loopback answers in milliseconds; anything slower is as good as absent for an interactive turn. */
export const OLLAMA_PROBE_TIMEOUT_MS = 800;
/** A started or stopped Ollama is noticed within this long. */
export const OLLAMA_PROBE_TTL_MS = 30_000;

export interface OllamaState {
  reachable: boolean;
  models: string[];
  checkedAt: number;
  error?: string;
}

const TagsSchema = z.object({
  models: z.array(z.object({ name: z.string().min(1).optional(), model: z.string().min(1).optional() })).default([]),
});

function tagsUrl(baseUrl: string | undefined): string {
  const root = (baseUrl ?? OLLAMA_DEFAULT_BASE_URL).replace(/\/+$/, "").replace(/\/api$/, "");
  return `${root}/api/tags`;
}

export class OllamaProbe {
  private state: OllamaState | undefined;
  private inFlight: Promise<OllamaState> | undefined;
  private baseUrl: string | undefined;

  constructor(
    private readonly now: () => number,
    baseUrl?: string,
  ) {
    this.baseUrl = baseUrl;
  }

  /** A different base URL (config reload) invalidates what was learned. */
  setBaseUrl(baseUrl: string | undefined): void {
    if (baseUrl === this.baseUrl) return;
    this.baseUrl = baseUrl;
    this.state = undefined;
  }

  /** The last answer, however old; undefined before the first probe finished. */
  cached(): OllamaState | undefined {
    return this.state;
  }

  /** A fresh-enough answer, probing when the last one is older than the TTL. Never throws. */
  probe(): Promise<OllamaState> {
    if (this.state && this.now() - this.state.checkedAt < OLLAMA_PROBE_TTL_MS) return Promise.resolve(this.state);
    this.inFlight ??= this.fetchState().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchState(): Promise<OllamaState> {
    const url = tagsUrl(this.baseUrl);
    let state: OllamaState;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(OLLAMA_PROBE_TIMEOUT_MS) });
      if (!res.ok) {
        state = {
          reachable: false,
          models: [],
          checkedAt: this.now(),
          error: `GET ${url} answered HTTP ${res.status}`,
        };
      } else {
        const parsed = TagsSchema.safeParse(await res.json().catch(() => undefined));
        state = parsed.success
          ? {
              reachable: true,
              models: parsed.data.models.flatMap((m) => m.name ?? m.model ?? []),
              checkedAt: this.now(),
            }
          : { reachable: false, models: [], checkedAt: this.now(), error: `GET ${url} did not answer like Ollama` };
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      state = { reachable: false, models: [], checkedAt: this.now(), error: `GET ${url} failed: ${reason}` };
    }
    this.state = state;
    return state;
  }
}
