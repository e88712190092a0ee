import { z } from "zod";
import { PincerConfigSchema } from "./schema.js";

let cached: Record<string, unknown> | undefined;

/**
 * The JSON Schema of pincer.json as a user writes it (defaults optional), for config.schema and editors.
 * Built on first use and kept: the schema is fixed for the life of the process.
 */
export function configJsonSchema(): Record<string, unknown> {
  cached ??= z.toJSONSchema(PincerConfigSchema, { io: "input" }) as Record<string, unknown>;
  return cached;
}
