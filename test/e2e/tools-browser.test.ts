import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentGateway, fakeConfig, startAgentGateway } from "./agent-gateway.js";
import { runToolTurn } from "./tools-harness.js";

// biome-ignore lint/suspicious/noExplicitAny: wire payloads are read ad hoc by assertions.
type Any = any;

/** The browser tool on Debian's Chromium through playwright-core: snapshot with refs, type, select, click, tabs. */

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

const FORM = `<!doctype html><html><head><title>Greeter</title></head><body>
<h1>Greeter</h1>
<label>Name <input id="name" type="text"></label>
<label>Colour <select id="colour"><option value="red">Red</option><option value="blue">Blue</option></select></label>
<button id="go" onclick="document.getElementById('out').textContent='Hello, '+document.getElementById('name').value+' ('+document.getElementById('colour').value+')'">Greet</button>
<p id="out">nobody yet</p>
<a href="/second">Second page</a>
</body></html>`;

let t: AgentGateway;
let server: Server;
let base: string;

beforeAll(async () => {
  if (!CHROMIUM) return;
  server = createServer((req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(req.url === "/second" ? "<title>Second</title><p>second page</p>" : FORM);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await startAgentGateway((fake) => ({
    ...fakeConfig(fake, { agentDefaults: { maxSteps: 3 } }),
    browser: { executablePath: CHROMIUM, headless: true },
  }));
});
afterAll(async () => {
  // A graceful stop closes Chromium with the gateway (the tool host shuts the browser down).
  await t?.gw.stop();
  await t?.close();
  server?.close();
});

const refOf = (snapshot: string, pattern: RegExp) => {
  const line = snapshot.split("\n").find((l) => pattern.test(l));
  return /\[ref=([a-z0-9]+)\]/.exec(line ?? "")?.[1];
};

describe.skipIf(!CHROMIUM)("browser tool", () => {
  it("opens a page, reads it as an accessibility tree, and fills and submits a form by ref", async () => {
    const opened = await runToolTurn(t, "main", "browser", { action: "open", url: `${base}/` }, 60_000);
    expect(opened.isError).toBe(false);
    expect(opened.result).toContain("EXTERNAL_UNTRUSTED_CONTENT");
    expect(opened.result).toMatch(/heading "Greeter"/);
    const name = refOf(opened.result, /textbox "Name"/);
    const colour = refOf(opened.result, /combobox "Colour"/);
    const go = refOf(opened.result, /button "Greet"/);
    expect(name && colour && go).toBeTruthy();

    expect((await runToolTurn(t, "main", "browser", { action: "type", ref: name, text: "Ada" })).isError).toBe(false);
    expect(
      (await runToolTurn(t, "main", "browser", { action: "select", ref: colour, values: ["blue"] })).result,
    ).toMatch(/selected blue/);
    expect((await runToolTurn(t, "main", "browser", { action: "click", ref: go })).isError).toBe(false);
    const after = await runToolTurn(t, "main", "browser", { action: "snapshot" });
    expect(after.result).toContain("Hello, Ada (blue)");
  });

  it("manages tabs and takes screenshots", async () => {
    await runToolTurn(t, "main", "browser", { action: "open", url: `${base}/second` });
    const tabs = await runToolTurn(t, "main", "browser", { action: "tabs" });
    expect(tabs.result.split("\n")).toHaveLength(2);
    expect(tabs.result).toMatch(/t2 \(current\)\s+Second/);
    const shot = await runToolTurn(t, "main", "browser", { action: "screenshot" });
    expect(shot.isError).toBe(false);
    const history = await t.client.call<Any>("chat.history", { sessionKey: "main" });
    const last = history.messages.filter((m: Any) => m.role === "toolResult").at(-1);
    const image = last.content.find((p: Any) => p.type === "image");
    expect(image.mimeType).toBe("image/png");
    expect(Buffer.from(image.data, "base64").subarray(1, 4).toString()).toBe("PNG");
    expect((await runToolTurn(t, "main", "browser", { action: "close", tabId: "t2" })).result).toMatch(/1 left/);
  });

  it("refuses non-web URLs and unknown refs with a clear error", async () => {
    const file = await runToolTurn(t, "main", "browser", { action: "open", url: "file:///etc/passwd" });
    expect(file.isError).toBe(true);
    expect(file.result).toMatch(/only http and https/);
    const bad = await runToolTurn(t, "main", "browser", { action: "click", ref: "e9999" }, 60_000);
    expect(bad.isError).toBe(true);
  });
});
