import OpenAI from "openai";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";

/**
 * A gateway with both OpenAI-compatible endpoints on, token auth, the fake LLM behind the agent, and the
 * official `openai` client pointed at it (no retries, so a failure shows as it happened).
 */
export async function startOpenAiGateway(
  token: string,
  extra: Record<string, unknown> = {},
): Promise<{ t: AgentGateway; openai: OpenAI }> {
  const t = await startAgentGateway(
    (fake) => ({
      ...fakeConfig(fake),
      gateway: {
        auth: { mode: "token", token },
        http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } },
      },
      ...extra,
    }),
    { token },
  );
  return { t, openai: new OpenAI({ apiKey: token, baseURL: `${t.gw.httpUrl}/v1`, maxRetries: 0 }) };
}
