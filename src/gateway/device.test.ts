import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deviceAuthPayload, deviceIdFor, parseDevicePublicKey, verifyDeviceSignature } from "./device.js";
import type { ConnectParams } from "./protocol/frames.js";

function makeDevice(version: "v2" | "v3", opts: { nonce?: string; signedAt?: number; token?: string } = {}) {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  const id = deviceIdFor(raw);
  const signedAt = opts.signedAt ?? Date.now();
  const nonce = opts.nonce ?? "n1";
  const params: ConnectParams = {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: "cli", version: "1", platform: "Linux", deviceFamily: "Desktop", mode: "cli" },
    role: "operator",
    scopes: ["operator.read", "operator.write"],
  };
  const payload = deviceAuthPayload(version, {
    deviceId: id,
    clientId: "cli",
    clientMode: "cli",
    role: "operator",
    scopes: params.scopes ?? [],
    signedAtMs: signedAt,
    token: opts.token ?? "tok",
    nonce,
    platform: "Linux",
    deviceFamily: "Desktop",
  });
  const signature = sign(null, Buffer.from(payload), privateKey).toString("base64url");
  params.device = { id, publicKey: raw.toString("base64url"), signature, signedAt, nonce };
  return params;
}

describe("verifyDeviceSignature", () => {
  it("accepts v3 and v2 signatures over this connection's nonce", () => {
    expect(verifyDeviceSignature(makeDevice("v3"), "n1", "tok")).toBeUndefined();
    expect(verifyDeviceSignature(makeDevice("v2"), "n1", "tok")).toBeUndefined();
  });

  it("lowercases platform and device family in v3", () => {
    expect(
      deviceAuthPayload("v3", {
        deviceId: "d",
        clientId: "c",
        clientMode: "cli",
        role: "operator",
        scopes: ["a", "b"],
        signedAtMs: 5,
        token: "",
        nonce: "n",
        platform: " Linux ",
        deviceFamily: "Desktop",
      }),
    ).toBe("v3|d|c|cli|operator|a,b|5||n|linux|desktop");
  });

  it.each([
    ["another nonce", (p: ConnectParams) => p, "other", "tok", "DEVICE_AUTH_NONCE_MISMATCH"],
    ["a different token", (p: ConnectParams) => p, "n1", "other-token", "DEVICE_AUTH_SIGNATURE_INVALID"],
    [
      "a device id not derived from the key",
      (p: ConnectParams) => ({ ...p, device: { ...p.device!, id: "f".repeat(64) } }),
      "n1",
      "tok",
      "DEVICE_AUTH_DEVICE_ID_MISMATCH",
    ],
    [
      "a key that is not Ed25519",
      (p: ConnectParams) => ({ ...p, device: { ...p.device!, publicKey: "AAAA" } }),
      "n1",
      "tok",
      "DEVICE_AUTH_PUBLIC_KEY_INVALID",
    ],
    [
      "a tampered scope list",
      (p: ConnectParams) => ({ ...p, scopes: ["operator.admin"] }),
      "n1",
      "tok",
      "DEVICE_AUTH_SIGNATURE_INVALID",
    ],
  ])("rejects %s", (_name, mutate, nonce, token, code) => {
    expect(verifyDeviceSignature(mutate(makeDevice("v3")), nonce, token)?.code).toBe(code);
  });

  it("rejects a stale signature", () => {
    const params = makeDevice("v3", { signedAt: Date.now() - 3_600_000 });
    expect(verifyDeviceSignature(params, "n1", "tok")?.code).toBe("DEVICE_AUTH_SIGNATURE_EXPIRED");
  });

  it("parses PEM public keys too", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const pem = publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(parseDevicePublicKey(pem)?.raw.length).toBe(32);
  });
});
