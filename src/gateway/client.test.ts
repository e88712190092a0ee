import { describe, expect, it } from "vitest";
import { CLIENT_PROTOCOL_VERSION, GatewayClient } from "./client.js";
import { PROTOCOL_VERSION } from "./protocol/frames.js";

describe("GatewayClient", () => {
  it("speaks the protocol version the frames define", () => {
    expect(CLIENT_PROTOCOL_VERSION).toBe(PROTOCOL_VERSION);
  });

  it("rejects with UNAVAILABLE naming the URL when nothing listens", async () => {
    await expect(GatewayClient.connect({ url: "ws://127.0.0.1:1", timeoutMs: 2000 })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("ws://127.0.0.1:1"),
    });
  });
});
