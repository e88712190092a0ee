import { PincerConfigSchema } from "../config/schema.js";
import { PincerError } from "../errors.js";
import type { AgentMessage, AssistantMessage, StopReason, ToolCallPart } from "../sessions/messages.js";
import {
  type CatalogModel,
  findModel,
  formatModelRef,
  type ModelRef,
  pricingFor,
  type ResolvedProvider,
  resolveProviders,
} from "./catalog.js";
import type { ToolChoice, ToolSpec } from "./convert.js";
import { classifyError, type ModelFailure } from "./failure.js";
import { loadExternalPrices } from "./prices.js";
import { toProviderCallOptions } from "./provider-prompt.js";
import { AssistantBuilder, asLanguageModelV3, tokenCountsFromUsage } from "./provider-stream.js";
import { createLanguageModel } from "./providers.js";
import { priceUsage } from "./usage.js";

/**
 * One model call as an async stream of our events. Failures are values: whatever happens (bad key,
 * 429, cut connection, abort), the stream ends with exactly one `done` carrying the message so far,
 * its stop reason, usage with cost, and the classified failure if any. Nothing here retries: that is
 * failover.ts's job, which needs to see every failure.
 */

export type ModelEvent =
  | { type: "text_delta"; delta: string }
  | { type: "thinking_delta"; delta: string }
  | { type: "tool_call"; call: ToolCallPart }
  | { type: "done"; message: AssistantMessage; error?: ModelFailure };

export interface StreamModelRequest {
  ref: ModelRef;
  /** Absent for keyless providers (Ollama, local servers). */
  apiKey?: string;
  system: string;
  messages: readonly AgentMessage[];
  tools: readonly ToolSpec[];
  /** Forces a tool call: any tool, or the named one. */
  toolChoice?: ToolChoice;
  signal?: AbortSignal;
  maxTokens?: number;
  temperature?: number;
  /** How to reach the provider; defaults to the built-in provider of that id. */
  provider?: ResolvedProvider;
  /** What is known about the model (limits, price); defaults to the catalog entry. */
  model?: CatalogModel;
  /** Longest silence between stream chunks before the call counts as timed out. */
  idleTimeoutMs?: number;
  now?: () => number;
}

/**
 * Long enough for a reasoning model thinking before its first token (providers send keep-alives that the
 * SDK does not surface), short enough that a dead connection does not hold a session for ten minutes.
 */
export const STREAM_IDLE_TIMEOUT_MS = 180_000;

let builtinProviders: Map<string, ResolvedProvider> | undefined;

function defaultProvider(id: string): ResolvedProvider | undefined {
  // Built-ins without any environment key: a caller that passes no provider passes its own apiKey.
  builtinProviders ??= resolveProviders(PincerConfigSchema.parse({}), {});
  return builtinProviders.get(id);
}

function failureMessage(failure: ModelFailure): string {
  return failure.provider ? `${failure.provider}/${failure.model ?? "?"}: ${failure.message}` : failure.message;
}

export async function* streamModel(req: StreamModelRequest): AsyncGenerator<ModelEvent> {
  const now = req.now ?? Date.now;
  const startedAt = now();
  const ref = req.ref;
  const provider = req.provider ?? defaultProvider(ref.provider);
  const model = req.model ?? (provider ? findModel(new Map([[provider.id, provider]]), ref) : undefined);
  const builder = new AssistantBuilder();
  let failure: ModelFailure | undefined;

  const finish = async (stopReason: StopReason): Promise<ModelEvent> => {
    const external = await loadExternalPrices();
    const pricing = model ? pricingFor(model, external) : { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
    const message: AssistantMessage = {
      role: "assistant",
      content: builder.content,
      provider: ref.provider,
      model: ref.model,
      usage: priceUsage(tokenCountsFromUsage(builder.usage), pricing),
      stopReason,
      timestamp: startedAt,
    };
    if (failure) message.errorMessage = failureMessage(failure);
    return failure ? { type: "done", message, error: failure } : { type: "done", message };
  };
  const fail = (kind: ModelFailure["kind"], message: string): ModelFailure => ({
    kind,
    message,
    provider: ref.provider,
    model: ref.model,
  });

  if (!provider) {
    failure = fail(
      "not_configured",
      `Unknown model provider "${ref.provider}" (model "${formatModelRef(ref)}"). Add models.providers.${ref.provider} with baseUrl, apiKey and api to ~/.pincer/pincer.json, or use one of: anthropic, openai, google, openrouter, ollama.`,
    );
    yield await finish("error");
    return;
  }
  if (req.apiKey === undefined && !provider.keyless) {
    const env = provider.envKeys.length > 0 ? `set ${provider.envKeys.join(" or ")}, or ` : "";
    failure = fail(
      "not_configured",
      `No API key for provider "${provider.id}": ${env}set models.providers.${provider.id}.apiKey in ~/.pincer/pincer.json.`,
    );
    yield await finish("error");
    return;
  }
  if (req.signal?.aborted) {
    failure = fail("aborted", "Aborted by the caller.");
    yield await finish("aborted");
    return;
  }

  const userAborted = () => req.signal?.aborted === true;
  // Our own idle timer rather than the SDK's chunk timeout: that one does not cover the wait for the
  // response headers, where a hung server leaves a caller waiting forever.
  // One plain controller per call, aborted by the idle timer or (through a listener removed in `finally`)
  // by the caller's signal. Not `AbortSignal.any`: Node 20 keeps such a composite signal, and whatever its
  // listeners hold, until it aborts, which a call that completes never does (~1.2 KB per call).
  const call = new AbortController();
  let idleFired = false;
  const forwardAbort = () => call.abort(req.signal?.reason);
  req.signal?.addEventListener("abort", forwardAbort, { once: true });
  const idleMs = req.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idleFired = true;
      call.abort();
    }, idleMs);
  };
  const timeoutFailure = () =>
    fail("timeout", `The model sent nothing for ${Math.round(idleMs / 1000)} s; the request was given up.`);
  const classify = (err: unknown) =>
    idleFired && !userAborted()
      ? timeoutFailure()
      : classifyError(err, { provider: ref.provider, model: ref.model, userAborted: userAborted(), now: now() });
  try {
    const target =
      req.apiKey === undefined ? { provider, model: ref.model } : { provider, model: ref.model, apiKey: req.apiKey };
    const languageModel = asLanguageModelV3(await createLanguageModel(target), formatModelRef(ref));
    // The provider's own call, not the AI SDK's streamText: Pincer runs its own tool loop one step at a time,
    // and streamText's per-call zod validation of the whole history was the largest per-turn cost.
    // No retries here either: they belong to failover.ts, which must see every failure.
    const maxOutputTokens = req.maxTokens ?? model?.maxTokens;
    const options = toProviderCallOptions({
      system: req.system,
      messages: req.messages,
      tools: req.tools,
      targetProvider: provider.id,
      ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
      ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    });
    armIdleTimer();
    const { stream } = await languageModel.doStream({ ...options, abortSignal: call.signal });
    // Leaving the loop early (error part, abort) cancels the stream, which closes the HTTP response.
    for await (const part of stream) {
      // A part that arrives after an abort is not used: the call is over (as the AI SDK's streamText does).
      if (call.signal.aborted) {
        failure = userAborted() ? fail("aborted", "Aborted by the caller.") : timeoutFailure();
        break;
      }
      armIdleTimer();
      const outcome = builder.apply(part);
      if (!outcome) continue;
      if (outcome.type === "error") {
        failure = classify(outcome.error);
        break;
      }
      // A slow consumer is not a silent model: the clock stops while the caller holds the event.
      clearTimeout(timer);
      yield outcome;
      armIdleTimer();
    }
  } catch (err) {
    failure =
      err instanceof PincerError && err.code === "MODEL_NOT_CONFIGURED"
        ? fail("not_configured", err.message)
        : classify(err);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener("abort", forwardAbort);
  }

  if (!failure && userAborted()) failure = fail("aborted", "Aborted by the caller.");
  if (failure) {
    yield await finish(failure.kind === "aborted" ? "aborted" : "error");
    return;
  }
  const stopReason = builder.stopReason();
  if (stopReason === undefined) {
    failure = fail("network", "The connection closed before the model finished its reply.");
    yield await finish("error");
    return;
  }
  if (stopReason === "content-filter") {
    failure = fail("bad_request", "The provider's content filter stopped the reply.");
    yield await finish("error");
    return;
  }
  yield await finish(stopReason);
}
