import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { STATE_DIR_MODE } from "../../config/write.js";
import { PincerError } from "../../errors.js";

/**
 * WebChat visitor identities. The gateway issues a random visitor id and a token that is an HMAC of the id
 * under a secret kept in `credentials/webchat-visitor-secret` (0600): no table of visitors to store, and a
 * visitor cannot become another one without the secret. Deleting the file revokes every visitor at once.
 */

export const VISITOR_SECRET_FILE = "webchat-visitor-secret";
/** 128 random bits: ids cannot be guessed, so one visitor cannot land in another's session. */
const VISITOR_ID_BYTES = 16;
const SECRET_BYTES = 32;
/** Lowercase hex: session keys lowercase peer ids, so ids differing only in case would share a session. */
export const VISITOR_ID_RE = /^[0-9a-f]{32}$/;
/** The version prefix lets a later token format be told apart (and old tokens refused) without ambiguity. */
const TOKEN_PREFIX = "wv1.";
const MAC_LABEL = "pincer-webchat-visitor:v1:";

export interface VisitorIdentity {
  visitorId: string;
  token: string;
}

export function visitorTokenOf(secret: Uint8Array, visitorId: string): string {
  const mac = createHmac("sha256", secret)
    .update(MAC_LABEL + visitorId)
    .digest("base64url");
  return TOKEN_PREFIX + mac;
}

export function issueVisitor(secret: Uint8Array): VisitorIdentity {
  const visitorId = randomBytes(VISITOR_ID_BYTES).toString("hex");
  return { visitorId, token: visitorTokenOf(secret, visitorId) };
}

/** True when `token` is the one this secret issued for `visitorId`; constant-time in the MAC. */
export function verifyVisitor(secret: Uint8Array, visitorId: string, token: string): boolean {
  if (!VISITOR_ID_RE.test(visitorId) || !token.startsWith(TOKEN_PREFIX)) return false;
  const expected = Buffer.from(visitorTokenOf(secret, visitorId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The secret, created on first use. The exclusive create means two gateways (or two requests) racing on a
 * fresh folder end up with one secret, not with tokens signed by a secret that was then overwritten.
 */
export async function loadVisitorSecret(credentialsDir: string): Promise<Uint8Array> {
  const file = path.join(credentialsDir, VISITOR_SECRET_FILE);
  const existing = await readSecret(file);
  if (existing) return existing;
  await fs.mkdir(credentialsDir, { recursive: true, mode: STATE_DIR_MODE });
  const fresh = randomBytes(SECRET_BYTES);
  try {
    await fs.writeFile(file, `${fresh.toString("base64url")}\n`, { flag: "wx", mode: 0o600 });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const raced = await readSecret(file);
    if (raced) return raced;
    throw unreadable(file);
  }
}

async function readSecret(file: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const secret = Buffer.from(text.trim(), "base64url");
  if (secret.length < SECRET_BYTES) throw unreadable(file);
  return secret;
}

function unreadable(file: string): PincerError {
  return new PincerError(
    "CONFIG_INVALID",
    `${file} does not hold a WebChat visitor secret: delete it and a new one is made (every visitor then gets a new identity)`,
  );
}
