import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildSystemPrompt, estimateTokens, loadBootstrapFiles, truncateMiddle } from "./prompt.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pincer-prompt-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("truncateMiddle", () => {
  it("keeps short text as is", () => {
    expect(truncateMiddle("short", 10)).toBe("short");
  });

  it("keeps head and tail within the cap, with a marker saying how much was cut", () => {
    const text = `HEAD${"m".repeat(5_000)}TAIL`;
    const out = truncateMiddle(text, 1_000);
    expect(out.length).toBeLessThanOrEqual(1_000);
    expect(out.startsWith("HEAD")).toBe(true);
    expect(out.endsWith("TAIL")).toBe(true);
    expect(out).toContain(`[… ${text.length - 1_000} characters cut to fit the prompt budget …]`);
  });
});

describe("loadBootstrapFiles", () => {
  it("reads the known files in order, skipping missing and blank ones", async () => {
    writeFileSync(join(dir, "SOUL.md"), "soul");
    writeFileSync(join(dir, "AGENTS.md"), "agents\n");
    writeFileSync(join(dir, "USER.md"), "   \n");
    writeFileSync(join(dir, "OTHER.md"), "not loaded");
    const files = await loadBootstrapFiles(dir, { perFileTokens: 100, totalTokens: 1_000 });
    expect(files).toEqual([
      { name: "AGENTS.md", content: "agents" },
      { name: "SOUL.md", content: "soul" },
    ]);
  });

  it("caps each file and the total, marking truncated files", async () => {
    writeFileSync(join(dir, "AGENTS.md"), "a".repeat(4_000)); // 1,000 tokens
    writeFileSync(join(dir, "SOUL.md"), "s".repeat(400)); // 100 tokens
    writeFileSync(join(dir, "TOOLS.md"), "t".repeat(400));
    const files = await loadBootstrapFiles(dir, { perFileTokens: 200, totalTokens: 250 });
    expect(files.map((f) => f.name)).toEqual(["AGENTS.md", "SOUL.md"]);
    expect(files[0]?.truncatedFromTokens).toBe(1_000);
    expect(estimateTokens(files[0]?.content ?? "")).toBeLessThanOrEqual(200);
    // SOUL.md gets what is left of the total (50 tokens) and is cut to it.
    expect(files[1]?.truncatedFromTokens).toBe(100);
    expect((files[1]?.content ?? "").length).toBeLessThanOrEqual(200);
  });

  it("reads through a WorkspaceFileReader when given one", async () => {
    const seen: string[] = [];
    const files = await loadBootstrapFiles(
      dir,
      { perFileTokens: 100, totalTokens: 1_000 },
      {
        read: async (path) => {
          seen.push(path);
          return path.endsWith("SOUL.md") ? " soul from memory \n" : undefined;
        },
      },
    );
    expect(files).toEqual([{ name: "SOUL.md", content: "soul from memory" }]);
    expect(seen).toHaveLength(7);
  });

  it("returns nothing for a workspace that does not exist", async () => {
    expect(await loadBootstrapFiles(join(dir, "missing"), { perFileTokens: 100, totalTokens: 100 })).toEqual([]);
  });
});

describe("buildSystemPrompt", () => {
  it("names the agent, time, channel, tools, skills and workspace files", () => {
    const prompt = buildSystemPrompt({
      agentId: "main",
      agentName: "Pinchy",
      now: new Date("2026-01-02T03:04:05Z"),
      timeZone: "Europe/Paris",
      workspaceDir: "/ws",
      bootstrap: [{ name: "SOUL.md", content: "be kind", truncatedFromTokens: 9_000 }],
      tools: [{ name: "session_status", description: "shows status" }],
      skills: [{ name: "weather", description: "forecasts", location: "/ws/skills/weather/SKILL.md" }],
      channel: "telegram",
    });
    expect(prompt).toContain('You are Pinchy running inside Pincer (agent "main")');
    expect(prompt).toContain("Current time: 2026-01-02T03:04:05.000Z (user time zone Europe/Paris).");
    expect(prompt).toContain("This conversation is on telegram.");
    expect(prompt).toContain("- session_status: shows status");
    expect(prompt).toContain("- weather: forecasts (/ws/skills/weather/SKILL.md)");
    expect(prompt).toContain("## SOUL.md (truncated from ~9000 tokens)\nbe kind");
  });

  it("leaves out empty sections", () => {
    const prompt = buildSystemPrompt({
      agentId: "a",
      now: new Date(0),
      timeZone: "UTC",
      workspaceDir: "/w",
      bootstrap: [],
      tools: [],
    });
    expect(prompt).not.toContain("## Tools");
    expect(prompt).not.toContain("## Skills");
    expect(prompt).not.toContain("This conversation is on");
  });
});
