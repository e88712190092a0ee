import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerError } from "../../errors.js";
import { PairingStore } from "../access/pairing-store.js";
import { admitVisitorMessage, WEBCHAT_ACCOUNT_ID, WEBCHAT_CHANNEL } from "./admission.js";
import { SlidingWindowLimiter } from "./rate-limit.js";
import type { WebChatSettings } from "./settings.js";

const VISITOR = "0123456789abcdef0123456789abcdef";

function settings(patch: Partial<WebChatSettings> = {}): WebChatSettings {
  return { configured: true, dmPolicy: "open", allowFrom: [], rateLimitPerMinute: 5, maxMessageChars: 100, ...patch };
}

async function refusal(p: Promise<void>): Promise<PincerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PincerError);
  return err as PincerError;
}

describe("admitVisitorMessage", () => {
  let dir: string;
  let pairing: PairingStore;
  let limiter: SlidingWindowLimiter;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-webchat-admit-"));
    pairing = new PairingStore(dir);
    limiter = new SlidingWindowLimiter(() => 0);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const admit = (s: WebChatSettings, text = "hello", visitorId = VISITOR) =>
    admitVisitorMessage({ settings: s, visitorId, text, pairing, limiter, now: 0 });

  it("admits anyone under open", async () => {
    await expect(admit(settings())).resolves.toBeUndefined();
  });

  it("refuses everything when disabled", async () => {
    const err = await refusal(admit(settings({ dmPolicy: "disabled" })));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.details).toMatchObject({ code: "WEBCHAT_DISABLED" });
    expect(err.message).toContain("channels.webchat.dmPolicy");
  });

  it("refuses empty and over-long messages with what the limit is", async () => {
    expect((await refusal(admit(settings(), "   "))).code).toBe("INVALID_REQUEST");
    const long = await refusal(admit(settings(), "x".repeat(101)));
    expect(long.code).toBe("PAYLOAD_TOO_LARGE");
    expect(long.message).toContain("at most 100");
  });

  it("refuses past the rate limit, retryable with a wait", async () => {
    for (let i = 0; i < 5; i++) await admit(settings());
    const err = await refusal(admit(settings()));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it("under allowlist admits only listed visitors", async () => {
    const s = settings({ dmPolicy: "allowlist", allowFrom: [VISITOR] });
    await expect(admit(s)).resolves.toBeUndefined();
    const err = await refusal(admit(s, "hi", "f".repeat(32)));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.details).toMatchObject({ code: "WEBCHAT_NOT_ALLOWED" });
  });

  it("under pairing answers a stranger with a code until the owner approves", async () => {
    const s = settings({ dmPolicy: "pairing" });
    const first = await refusal(admit(s));
    expect(first.code).toBe("NOT_PAIRED");
    const code = (first.details as { pairingCode: string }).pairingCode;
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    expect(first.message).toContain(`pincer pairing approve webchat ${code}`);
    // The same code again (a reloaded page), not a second request.
    expect(((await refusal(admit(s))).details as { pairingCode: string }).pairingCode).toBe(code);
    expect(await pairing.list(WEBCHAT_CHANNEL)).toHaveLength(1);

    await pairing.approve(WEBCHAT_CHANNEL, { code, accountId: WEBCHAT_ACCOUNT_ID });
    await expect(admit(s)).resolves.toBeUndefined();
  });

  it("under pairing refuses new strangers once three requests are pending", async () => {
    const s = settings({ dmPolicy: "pairing", rateLimitPerMinute: 100 });
    for (const c of ["a", "b", "c"]) await refusal(admit(s, "hi", c.repeat(32)));
    const err = await refusal(admit(s, "hi", "d".repeat(32)));
    expect(err.code).toBe("NOT_PAIRED");
    expect(err.details).toMatchObject({ code: "PAIRING_LIMIT" });
  });
});
