import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveWorkspacePath } from "./workspace-path.js";

let base: string;
let ws: string;
let outsideDir: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "pincer-wspath-"));
  ws = join(base, "ws");
  outsideDir = join(base, "outside");
  mkdirSync(join(ws, "sub"), { recursive: true });
  mkdirSync(outsideDir);
  writeFileSync(join(outsideDir, "secret.txt"), "secret");
  writeFileSync(join(ws, "sub", "ok.txt"), "ok");
  symlinkSync(outsideDir, join(ws, "link-out"));
  symlinkSync(join(outsideDir, "secret.txt"), join(ws, "secret-link"));
  symlinkSync(join(ws, "sub"), join(ws, "link-in"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const root = () => ({ dir: ws });

describe("workspace path confinement", () => {
  it.each(["sub/ok.txt", "./sub/../sub/ok.txt", "new/dir/file.txt", ".", "link-in/ok.txt"])("accepts %s", async (p) => {
    const r = await resolveWorkspacePath(root(), p);
    expect(r.abs.startsWith(ws) || r.abs.includes("/ws")).toBe(true);
  });

  it.each([
    "../outside/secret.txt",
    "sub/../../outside/secret.txt",
    "..",
    "/etc/passwd",
    "link-out/secret.txt",
    "link-out/new-file.txt",
    "secret-link",
    "link-out",
  ])("refuses %s", async (p) => {
    await expect(resolveWorkspacePath(root(), p)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("accepts an absolute path inside the workspace and maps the sandbox's virtual root", async () => {
    expect((await resolveWorkspacePath(root(), join(ws, "sub/ok.txt"))).rel).toBe(join("sub", "ok.txt"));
    const r = await resolveWorkspacePath({ dir: ws, virtualDir: "/workspace" }, "/workspace/sub/ok.txt");
    expect(r.rel).toBe(join("sub", "ok.txt"));
    await expect(
      resolveWorkspacePath({ dir: ws, virtualDir: "/workspace" }, "/workspace/../etc"),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses empty paths and NUL bytes", async () => {
    await expect(resolveWorkspacePath(root(), "")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(resolveWorkspacePath(root(), "a\0b")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });
});
