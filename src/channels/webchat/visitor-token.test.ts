import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  issueVisitor,
  loadVisitorSecret,
  VISITOR_ID_RE,
  VISITOR_SECRET_FILE,
  verifyVisitor,
  visitorTokenOf,
} from "./visitor-token.js";

const secret = randomBytes(32);

describe("visitor tokens", () => {
  it("issues a lowercase hex id whose token verifies", () => {
    const { visitorId, token } = issueVisitor(secret);
    expect(visitorId).toMatch(VISITOR_ID_RE);
    expect(token.startsWith("wv1.")).toBe(true);
    expect(verifyVisitor(secret, visitorId, token)).toBe(true);
  });

  it("issues a different id every time", () => {
    expect(issueVisitor(secret).visitorId).not.toBe(issueVisitor(secret).visitorId);
  });

  it.each([
    ["another visitor's token", (id: string) => [id, visitorTokenOf(secret, issueVisitor(secret).visitorId)] as const],
    ["a token from another secret", (id: string) => [id, visitorTokenOf(randomBytes(32), id)] as const],
    ["a tampered MAC", (id: string, t: string) => [id, `${t.slice(0, -1)}${t.endsWith("A") ? "B" : "A"}`] as const],
    ["a truncated token", (id: string, t: string) => [id, t.slice(0, -4)] as const],
    ["a missing version prefix", (id: string, t: string) => [id, t.slice(4)] as const],
    ["an uppercase id", (id: string, t: string) => [id.toUpperCase(), t] as const],
    ["an id that is not hex", (_id: string, t: string) => ["z".repeat(32), t] as const],
    ["an empty token", (id: string) => [id, ""] as const],
  ])("refuses %s", (_name, forge) => {
    const { visitorId, token } = issueVisitor(secret);
    const [id, forged] = forge(visitorId, token);
    expect(verifyVisitor(secret, id, forged)).toBe(false);
  });
});

describe("loadVisitorSecret", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });
  const tmp = async () => {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-webchat-"));
    dirs.push(d);
    return path.join(d, "credentials");
  };

  it("creates the secret once (0600) and reads the same one back", async () => {
    const dir = await tmp();
    const first = await loadVisitorSecret(dir);
    const again = await loadVisitorSecret(dir);
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    const stat = await fs.stat(path.join(dir, VISITOR_SECRET_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it("gives concurrent first callers one secret", async () => {
    const dir = await tmp();
    const all = await Promise.all([loadVisitorSecret(dir), loadVisitorSecret(dir), loadVisitorSecret(dir)]);
    const onDisk = await loadVisitorSecret(dir);
    for (const s of all) expect(Buffer.from(s).equals(Buffer.from(onDisk))).toBe(true);
  });

  it("refuses a file that does not hold a secret, naming it", async () => {
    const dir = await tmp();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, VISITOR_SECRET_FILE), "short\n");
    await expect(loadVisitorSecret(dir)).rejects.toThrow(VISITOR_SECRET_FILE);
  });
});
