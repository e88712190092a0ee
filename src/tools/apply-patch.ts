import { readFile, rm } from "node:fs/promises";
import { z } from "zod";
import { PincerError } from "../errors.js";
import { applyHunks, parsePatch } from "./patch-format.js";
import { type AgentTool, defineTool, textResult } from "./tool.js";
import { assertWritable, type FsToolEnv, writeWorkspaceFile } from "./workspace-files.js";
import { resolveWorkspacePath } from "./workspace-path.js";

const ApplyPatchArgs = z.object({
  input: z.string().min(1).describe("The patch, from '*** Begin Patch' to '*** End Patch'."),
});

export function applyPatchTool(env: FsToolEnv): AgentTool {
  return defineTool({
    name: "apply_patch",
    description:
      "Apply a multi-file patch (*** Begin Patch / *** Add File: / *** Update File: / *** Delete File: / *** End Patch, hunks with @@ and -/+ lines). Nothing is written unless every file applies.",
    parameters: ApplyPatchArgs,
    async execute(_id, args) {
      assertWritable(env, "apply_patch");
      const ops = parsePatch(args.input);
      // Compute every result first: a patch that fails halfway must not leave half its files changed.
      const writes: { abs: string; content: string }[] = [];
      const deletes: string[] = [];
      const summary: string[] = [];
      for (const op of ops) {
        const { abs, rel } = await resolveWorkspacePath(env.workspace, op.path);
        if (op.kind === "add") {
          writes.push({ abs, content: op.content });
          summary.push(`A ${rel}`);
          continue;
        }
        const original = await readFile(abs, "utf8").catch((err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT") throw new PincerError("NOT_FOUND", `${rel} does not exist (patch ${op.kind}s it)`);
          throw err;
        });
        if (op.kind === "delete") {
          deletes.push(abs);
          summary.push(`D ${rel}`);
          continue;
        }
        const updated = applyHunks(original, op.hunks, rel);
        if (op.moveTo) {
          const target = await resolveWorkspacePath(env.workspace, op.moveTo);
          writes.push({ abs: target.abs, content: updated });
          deletes.push(abs);
          summary.push(`R ${rel} -> ${target.rel}`);
        } else {
          writes.push({ abs, content: updated });
          summary.push(`M ${rel}`);
        }
      }
      for (const w of writes) await writeWorkspaceFile(w.abs, w.content);
      for (const d of deletes) if (!writes.some((w) => w.abs === d)) await rm(d, { force: true });
      return textResult(`Patch applied:\n${summary.join("\n")}`);
    },
  });
}
