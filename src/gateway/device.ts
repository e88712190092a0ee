import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import type { ConnectParams } from "./protocol/frames.js";

/** How far a device signature's signedAt may be from the gateway's clock. */
export const DEVICE_SIGNATURE_SKEW_MS = 10 * 60_000;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface DeviceProblem {
  code: string;
  message: string;
}

/**
 * The string an OpenClaw client signs with its device key: v3 adds platform and device family (lowercased) to
 * v2. Fields are joined by "|"; scopes by ",".
 */
export function deviceAuthPayload(
  version: "v2" | "v3",
  p: {
    deviceId: string;
    clientId: string;
    clientMode: string;
    role: string;
    scopes: string[];
    signedAtMs: number;
    token: string;
    nonce: string;
    platform?: string;
    deviceFamily?: string;
  },
): string {
  const base = [
    version,
    p.deviceId,
    p.clientId,
    p.clientMode,
    p.role,
    p.scopes.join(","),
    String(p.signedAtMs),
    p.token,
    p.nonce,
  ];
  if (version === "v3") base.push((p.platform ?? "").trim().toLowerCase(), (p.deviceFamily ?? "").trim().toLowerCase());
  return base.join("|");
}

/** Accepts a raw 32-byte key as base64url/base64, or a PEM; returns the key and its raw bytes. */
export function parseDevicePublicKey(publicKey: string): { key: KeyObject; raw: Buffer } | undefined {
  try {
    if (publicKey.includes("BEGIN PUBLIC KEY")) {
      const key = createPublicKey(publicKey);
      const der = key.export({ format: "der", type: "spki" });
      return { key, raw: der.subarray(ED25519_SPKI_PREFIX.length) };
    }
    const raw = Buffer.from(publicKey.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (raw.length !== 32) return undefined;
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
    return { key, raw };
  } catch {
    return undefined;
  }
}

/** A device id is the hex SHA-256 of the raw public key, so a client cannot claim another device's id. */
export function deviceIdFor(raw: Buffer): string {
  return createHash("sha256").update(raw).digest("hex");
}

/**
 * Verifies a connect's device block against the challenge nonce this connection sent. Returns what is wrong,
 * or undefined when the signature proves possession of the key.
 */
export function verifyDeviceSignature(
  params: ConnectParams,
  nonce: string,
  token: string,
  now = Date.now(),
): DeviceProblem | undefined {
  const device = params.device;
  if (!device) return undefined;
  if (device.nonce !== nonce)
    return {
      code: "DEVICE_AUTH_NONCE_MISMATCH",
      message: "device signature is for another challenge nonce: sign the connect.challenge nonce of this connection",
    };
  if (Math.abs(now - device.signedAt) > DEVICE_SIGNATURE_SKEW_MS) {
    return {
      code: "DEVICE_AUTH_SIGNATURE_EXPIRED",
      message: "device signature is too old or from the future: check the client's clock",
    };
  }
  const parsed = parseDevicePublicKey(device.publicKey);
  if (!parsed)
    return { code: "DEVICE_AUTH_PUBLIC_KEY_INVALID", message: "device.publicKey is not an Ed25519 public key" };
  if (deviceIdFor(parsed.raw) !== device.id) {
    return {
      code: "DEVICE_AUTH_DEVICE_ID_MISMATCH",
      message: "device.id does not match the SHA-256 of device.publicKey",
    };
  }
  const signature = Buffer.from(device.signature.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const fields = {
    deviceId: device.id,
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role ?? "operator",
    scopes: params.scopes ?? [],
    signedAtMs: device.signedAt,
    token,
    nonce,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  };
  for (const version of ["v3", "v2"] as const) {
    if (verify(null, Buffer.from(deviceAuthPayload(version, fields)), parsed.key, signature)) return undefined;
  }
  return {
    code: "DEVICE_AUTH_SIGNATURE_INVALID",
    message: "device signature does not verify against device.publicKey",
  };
}
