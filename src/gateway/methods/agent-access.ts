import { PincerError } from "../../errors.js";
import type { GatewayServices } from "../services.js";

/** The agent runtime, or UNAVAILABLE while the gateway is still starting or already stopping. */
export function agentOf(services: GatewayServices) {
  if (!services.agent)
    throw new PincerError("UNAVAILABLE", "the agent runtime is not running yet; retry in a moment", {
      retryable: true,
    });
  return services.agent;
}
