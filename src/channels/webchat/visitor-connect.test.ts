import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PincerConfigSchema } from "../../config/schema.js";
import { WebChatHub } from "./hub.js";
import { admitVisitorConnect } from "./visitor-connect.js";
import { issueVisitor } from "./visitor-token.js";

describe("admitVisitorConnect", () => {
  let dir: string;
  let hub: WebChatHub;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "pincer-webchat-connect-"));
    hub = new WebChatHub({ credentialsDir: dir, managerPairing: () => undefined });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const open = PincerConfigSchema.parse({ channels: { webchat: { dmPolicy: "open" } } });

  it("admits the visitor the gateway issued, into its own webchat session", async () => {
    const id = issueVisitor(await hub.visitorSecret());
    const result = await admitVisitorConnect({
      config: open,
      hub,
      clientMode: "webchat",
      credential: { visitorId: id.visitorId, token: id.token },
    });
    expect(result).toEqual({
      ok: true,
      visitor: { visitorId: id.visitorId, agentId: "main", sessionKey: `agent:main:webchat:direct:${id.visitorId}` },
    });
  });

  it("refuses forged and malformed credentials as auth failures", async () => {
    const id = issueVisitor(await hub.visitorSecret());
    const other = issueVisitor(await hub.visitorSecret());
    for (const credential of [{ visitorId: id.visitorId, token: other.token }, "malformed" as const]) {
      const result = await admitVisitorConnect({ config: open, hub, clientMode: "webchat", credential });
      expect(result).toMatchObject({
        ok: false,
        authFailure: true,
        error: { code: "UNAUTHORIZED", details: { code: "AUTH_VISITOR_TOKEN_INVALID" } },
      });
    }
  });

  it("refuses, without counting an auth failure, other client modes and a disabled WebChat", async () => {
    const id = issueVisitor(await hub.visitorSecret());
    const credential = { visitorId: id.visitorId, token: id.token };
    expect(await admitVisitorConnect({ config: open, hub, clientMode: "cli", credential })).toMatchObject({
      ok: false,
      authFailure: false,
      error: { code: "INVALID_REQUEST" },
    });
    const off = PincerConfigSchema.parse({ channels: { webchat: { dmPolicy: "disabled" } } });
    expect(await admitVisitorConnect({ config: off, hub, clientMode: "webchat", credential })).toMatchObject({
      ok: false,
      authFailure: false,
      error: { code: "FORBIDDEN", details: { code: "WEBCHAT_DISABLED" } },
    });
  });
});
