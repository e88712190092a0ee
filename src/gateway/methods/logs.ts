import { open, stat } from "node:fs/promises";
import { z } from "zod";
import { PincerError } from "../../errors.js";
import { defineMethod } from "./types.js";

const DEFAULT_LIMIT = 200;
const DEFAULT_MAX_BYTES = 250_000;

export const LogsTailParams = z.strictObject({
  cursor: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(5000).optional(),
  maxBytes: z.number().int().min(1).max(1_000_000).optional(),
});

/**
 * Reads the gateway log file from `cursor` (a byte offset; omitted = the last maxBytes). Returns whole lines
 * only and the cursor to continue from, so `pincer logs --follow` polls without gaps or repeats.
 */
export async function tailLogFile(file: string, params: z.infer<typeof LogsTailParams>) {
  const limit = params.limit ?? DEFAULT_LIMIT;
  const maxBytes = params.maxBytes ?? DEFAULT_MAX_BYTES;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { file, cursor: 0, size: 0, lines: [] as string[] };
  }
  let start = params.cursor ?? Math.max(0, size - maxBytes);
  let reset = false;
  if (start > size) {
    // The file was rotated or truncated under the reader: start over.
    start = 0;
    reset = true;
  }
  const length = Math.min(maxBytes, size - start);
  const buf = Buffer.alloc(length);
  const fh = await open(file, "r");
  try {
    await fh.read(buf, 0, length, start);
  } finally {
    await fh.close();
  }
  let text = buf.toString("utf8");
  let skippedBytes = 0;
  if (params.cursor === undefined && start > 0) {
    const nl = text.indexOf("\n");
    skippedBytes = nl + 1;
    text = text.slice(nl + 1);
  }
  const lastNl = text.lastIndexOf("\n");
  const complete = lastNl >= 0 ? text.slice(0, lastNl) : "";
  let lines = complete ? complete.split("\n") : [];
  const truncated = lines.length > limit;
  if (truncated) lines = lines.slice(lines.length - limit);
  const consumed = Buffer.byteLength(lastNl >= 0 ? text.slice(0, lastNl + 1) : "") + skippedBytes;
  return {
    file,
    cursor: start + consumed,
    size,
    lines,
    ...(truncated ? { truncated } : {}),
    ...(reset ? { reset } : {}),
    ...(skippedBytes ? { skippedBytes } : {}),
  };
}

export const logsTailMethod = defineMethod({
  name: "logs.tail",
  scope: "operator.read",
  params: LogsTailParams,
  handler: async (params, { services }) => {
    if (!services.logFile) throw new PincerError("UNAVAILABLE", "file logging is off (logging.level is silent)");
    return tailLogFile(services.logFile, params);
  },
});
