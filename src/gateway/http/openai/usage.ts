import type { Usage } from "../../../sessions/messages.js";

/** Pincer counts uncached prompt tokens in `input`; OpenAI's prompt count includes cached ones. */
function promptTokens(u: Usage | undefined): number {
  return u ? u.input + u.cacheRead + u.cacheWrite : 0;
}

/** A run's usage as Chat Completions reports it. */
export function chatUsage(u: Usage | undefined) {
  const prompt = promptTokens(u);
  const completion = u?.output ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u?.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: u?.reasoning ?? 0 },
  };
}

/** A run's usage as the Responses API reports it. */
export function responsesUsage(u: Usage | undefined) {
  const input = promptTokens(u);
  const output = u?.output ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.cacheRead ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.reasoning ?? 0 },
    total_tokens: input + output,
  };
}
