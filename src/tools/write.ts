import { z } from "zod";
import { type AgentTool, defineTool, textResult } from "./tool.js";
import { assertWritable, type FsToolEnv, writeWorkspaceFile } from "./workspace-files.js";
import { resolveWorkspacePath } from "./workspace-path.js";

const WriteArgs = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace. Folders are created."),
  content: z.string().describe("The whole new content of the file."),
});

export function writeTool(env: FsToolEnv): AgentTool {
  return defineTool({
    name: "write",
    description: "Create or overwrite a file in the workspace with the given content.",
    parameters: WriteArgs,
    async execute(_id, args) {
      assertWritable(env, "write");
      const { abs, rel } = await resolveWorkspacePath(env.workspace, args.path);
      await writeWorkspaceFile(abs, args.content);
      return textResult(`Wrote ${Buffer.byteLength(args.content)} bytes to ${rel}.`);
    },
  });
}
