import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  MAX_PENDING_PER_CHANNEL,
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  PAIRING_TTL_MS,
  PairingStore,
  randomPairingCode,
} from "./pairing-store.js";

let dir: string;
let now: number;
let store: PairingStore;

beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), "pincer-pairing-")), "credentials");
  now = 1_700_000_000_000;
  store = new PairingStore(dir, () => now);
});

describe("pairing codes", () => {
  it("are 8 characters without ambiguous ones", () => {
    for (let i = 0; i < 200; i++) {
      const code = randomPairingCode();
      expect(code).toHaveLength(PAIRING_CODE_LENGTH);
      expect(code).toMatch(new RegExp(`^[${PAIRING_CODE_ALPHABET}]+$`));
      expect(code).not.toMatch(/[01IO]/);
    }
  });
});

describe("PairingStore", () => {
  it("creates a request once per sender and approves it into allowFrom", async () => {
    const first = await store.upsertRequest("telegram", "default", { id: "42", label: "Alice" });
    expect(first.status).toBe("created");
    const again = await store.upsertRequest("telegram", "default", { id: "42" });
    expect(again).toEqual({ status: "pending", code: (first as { code: string }).code });

    const listed = await store.list("telegram");
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ senderId: "42", senderLabel: "Alice", expiresAt: now + PAIRING_TTL_MS });
    expect(listed[0]!.requestId).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const approved = await store.approve("telegram", { code: (first as { code: string }).code.toLowerCase() });
    expect(approved?.senderId).toBe("42");
    expect(await store.allowFrom("telegram", "default")).toEqual(["42"]);
    expect(await store.list("telegram")).toEqual([]);
    const file = join(dir, "telegram-pairing.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).allowFrom).toEqual({ default: ["42"] });
  });

  it("rejects a wrong code and an expired one", async () => {
    const r = await store.upsertRequest("telegram", "default", { id: "42" });
    const code = (r as { code: string }).code;
    expect(await store.approve("telegram", { code: "ZZZZZZZZ" })).toBeNull();
    expect(await store.approve("discord", { code })).toBeNull();
    now += PAIRING_TTL_MS + 1;
    expect(await store.approve("telegram", { code })).toBeNull();
    expect(await store.allowFrom("telegram", "default")).toEqual([]);
    // The expired request is gone, so the sender gets a fresh code.
    expect((await store.upsertRequest("telegram", "default", { id: "42" })).status).toBe("created");
  });

  it("holds at most three pending requests per channel", async () => {
    for (let i = 0; i < MAX_PENDING_PER_CHANNEL; i++) {
      expect((await store.upsertRequest("telegram", "default", { id: `u${i}` })).status).toBe("created");
    }
    expect(await store.upsertRequest("telegram", "default", { id: "late" })).toEqual({ status: "limit" });
    expect((await store.upsertRequest("irc", "default", { id: "late" })).status).toBe("created");
  });

  it("rejects by requestId and keeps the sender out", async () => {
    await store.upsertRequest("slack", "work", { id: "U1" });
    const [req] = await store.list("slack", "work");
    expect(await store.reject("slack", { requestId: req!.requestId })).toMatchObject({ senderId: "U1" });
    expect(await store.allowFrom("slack", "work")).toEqual([]);
  });

  it("serializes concurrent upserts", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.upsertRequest("telegram", "default", { id: `c${i}` })),
    );
    expect(results.filter((r) => r.status === "created")).toHaveLength(MAX_PENDING_PER_CHANNEL);
    expect(await store.list("telegram")).toHaveLength(MAX_PENDING_PER_CHANNEL);
  });

  it("names a corrupt file instead of crashing", async () => {
    await store.upsertRequest("telegram", "default", { id: "1" });
    writeFileSync(join(dir, "telegram-pairing.json"), "{not json");
    await expect(store.list("telegram")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("refuses a channel id that could escape the folder", async () => {
    await expect(store.list("../etc")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  });

  it("revokes an approved sender", async () => {
    const r = await store.upsertRequest("telegram", "default", { id: "9" });
    await store.approve("telegram", { code: (r as { code: string }).code });
    expect(await store.revoke("telegram", "default", "9")).toBe(true);
    expect(await store.allowFrom("telegram", "default")).toEqual([]);
  });
});
