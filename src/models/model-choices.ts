import type { ProfileHealth } from "./auth-profiles.js";
import { type CatalogModel, hasCredentials, type ResolvedProvider, UNKNOWN_MODEL_CONTEXT_WINDOW } from "./catalog.js";
import type { OllamaState } from "./ollama-probe.js";

/**
 * The catalog as a user sees it: every known model and whether it can be used right now, in the shape of
 * OpenClaw's `models.list` result (ModelChoice in @openclaw/gateway-protocol).
 */

export interface ModelChoice {
  id: string;
  name: string;
  provider: string;
  contextWindow: number;
  reasoning: boolean;
  available: boolean;
  unavailableReason?: "missing-auth" | "auth-failed" | "cooldown";
  /** Epoch ms when a cooling provider comes back. */
  unavailableUntil?: number;
  input?: Array<"text" | "image">;
}

export interface ChoiceInputs {
  providers: ReadonlyMap<string, ResolvedProvider>;
  keysOf: (provider: ResolvedProvider) => ReadonlyArray<string | undefined>;
  health: (provider: string, key: string | undefined) => ProfileHealth;
  /** Last Ollama probe; undefined while none finished. */
  ollama: OllamaState | undefined;
}

type Availability = Pick<ModelChoice, "available" | "unavailableReason" | "unavailableUntil">;

/** A provider is usable when one key is; else the soonest-back key says why and until when. */
function providerAvailability(provider: ResolvedProvider, inputs: ChoiceInputs): Availability {
  if (provider.id === "ollama" && provider.keyless && provider.apiKeys.length === 0) {
    return { available: inputs.ollama?.reachable === true };
  }
  if (!hasCredentials(provider)) return { available: false, unavailableReason: "missing-auth" };
  let soonest: ProfileHealth | undefined;
  for (const key of inputs.keysOf(provider)) {
    const health = inputs.health(provider.id, key);
    if (health.available) return { available: true };
    if (!soonest || (health.until ?? 0) < (soonest.until ?? 0)) soonest = health;
  }
  const out: Availability = { available: false, unavailableReason: soonest?.reason ?? "cooldown" };
  if (soonest?.until !== undefined) out.unavailableUntil = soonest.until;
  return out;
}

function inputKinds(model: CatalogModel): Array<"text" | "image"> {
  return model.input.filter((kind): kind is "text" | "image" => kind === "text" || kind === "image");
}

function choice(model: CatalogModel, availability: Availability): ModelChoice {
  return {
    id: model.id,
    name: model.name,
    provider: model.provider,
    contextWindow: model.contextWindow,
    reasoning: model.reasoning,
    ...availability,
    input: inputKinds(model),
  };
}

export function listModelChoices(inputs: ChoiceInputs): ModelChoice[] {
  const out: ModelChoice[] = [];
  for (const provider of inputs.providers.values()) {
    const availability = providerAvailability(provider, inputs);
    const models = [...provider.models];
    if (provider.id === "ollama" && inputs.ollama?.reachable) {
      for (const id of inputs.ollama.models) {
        if (models.some((m) => m.id === id)) continue;
        models.push({
          id,
          name: id,
          provider: "ollama",
          contextWindow: UNKNOWN_MODEL_CONTEXT_WINDOW,
          reasoning: false,
          input: ["text"],
        });
      }
    }
    for (const model of models) out.push(choice(model, availability));
  }
  return out;
}
