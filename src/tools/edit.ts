import { readFile } from "node:fs/promises";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";
import { assertWritable, type FsToolEnv, writeWorkspaceFile } from "./workspace-files.js";
import { resolveWorkspacePath } from "./workspace-path.js";

const EditArgs = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  oldText: z.string().min(1).describe("Exact text to replace, including whitespace; it must occur once."),
  newText: z.string().describe("Replacement text."),
  replaceAll: z.boolean().optional().describe("Replace every occurrence instead of requiring exactly one."),
});

export function editTool(env: FsToolEnv): AgentTool {
  return defineTool({
    name: "edit",
    description:
      "Replace an exact piece of text in a workspace file. oldText must match exactly (whitespace included) and occur once unless replaceAll is set.",
    parameters: EditArgs,
    async execute(_id, args) {
      assertWritable(env, "edit");
      const { abs, rel } = await resolveWorkspacePath(env.workspace, args.path);
      const original = await readFile(abs, "utf8").catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") throw new PincerError("NOT_FOUND", `${rel} does not exist; use write to create it`);
        throw err;
      });
      const count = original.split(args.oldText).length - 1;
      if (count === 0)
        throw new PincerError(
          "INVALID_REQUEST",
          `oldText was not found in ${rel}; read the file and copy the text exactly`,
        );
      if (count > 1 && !args.replaceAll) {
        throw new PincerError(
          "INVALID_REQUEST",
          `oldText occurs ${count} times in ${rel}; include more surrounding text to make it unique, or set replaceAll`,
        );
      }
      const updated = args.replaceAll
        ? original.split(args.oldText).join(args.newText)
        : original.replace(args.oldText, () => args.newText);
      await writeWorkspaceFile(abs, updated);
      return textResult(`Edited ${rel}: ${count === 1 ? "1 replacement" : `${count} replacements`}.`);
    },
  });
}
