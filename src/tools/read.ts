import { open, stat } from "node:fs/promises";
import { extname } from "node:path";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";
import { type FsToolEnv, MAX_FILE_BYTES } from "./workspace-files.js";
import { resolveWorkspacePath } from "./workspace-path.js";

const DEFAULT_LINE_LIMIT = 2_000;
const IMAGE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};
/** Images above this are not sent to the model (providers reject them anyway). */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const ReadArgs = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  offset: z.number().int().min(1).optional().describe("First line to return (1-based)."),
  limit: z.number().int().min(1).optional().describe(`Lines to return (default ${DEFAULT_LINE_LIMIT}).`),
});

export function readTool(env: FsToolEnv): AgentTool {
  return defineTool({
    name: "read",
    description: "Read a text file (or an image) from the workspace. Use offset and limit for long files.",
    parameters: ReadArgs,
    async execute(_id, args) {
      const { abs, rel } = await resolveWorkspacePath(env.workspace, args.path);
      const st = await stat(abs).catch(() => undefined);
      if (!st) throw new PincerError("NOT_FOUND", `${rel} does not exist`);
      if (!st.isFile()) throw new PincerError("INVALID_REQUEST", `${rel} is not a regular file`);
      const mime = IMAGE_TYPES[extname(abs).toLowerCase()];
      if (mime) {
        if (st.size > MAX_IMAGE_BYTES) throw new PincerError("PAYLOAD_TOO_LARGE", `${rel} is larger than 5 MiB`);
        const data = await readPrefix(abs, st.size);
        return { content: [{ type: "image", data: data.toString("base64"), mimeType: mime }] };
      }
      const buf = await readPrefix(abs, Math.min(st.size, MAX_FILE_BYTES));
      if (buf.subarray(0, 8192).includes(0)) return textResult(`${rel} is a binary file (${st.size} bytes).`);
      const lines = buf.toString("utf8").split("\n");
      if (lines[lines.length - 1] === "") lines.pop();
      const start = (args.offset ?? 1) - 1;
      if (start >= lines.length && lines.length > 0)
        throw new PincerError(
          "INVALID_REQUEST",
          `offset ${args.offset} is past the end of ${rel} (${lines.length} lines)`,
        );
      const limit = args.limit ?? DEFAULT_LINE_LIMIT;
      const shown = lines.slice(start, start + limit);
      const notes: string[] = [];
      if (start + shown.length < lines.length)
        notes.push(
          `lines ${start + 1}-${start + shown.length} of ${lines.length}; use offset ${start + shown.length + 1} to continue`,
        );
      if (st.size > MAX_FILE_BYTES)
        notes.push(`only the first ${MAX_FILE_BYTES / 1024 / 1024} MiB of ${st.size} bytes were read`);
      return textResult(`${shown.join("\n")}${notes.length > 0 ? `\n\n[${notes.join("; ")}]` : ""}`);
    },
  });
}

async function readPrefix(abs: string, bytes: number): Promise<Buffer> {
  const handle = await open(abs, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
