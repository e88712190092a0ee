import { it } from "vitest";
import { startFakeDiscord } from "/work/main/test/fixtures/fake-platforms/discord.js";
it("dm", async () => {
  const dc = await startFakeDiscord({ token: "tok" });
  const { Client, GatewayIntentBits, Partials, Events } = await import("discord.js");
  const client = new Client({ intents: [1, 512, 4096, 32768], partials: [Partials.Channel], rest: { api: dc.apiRoot } });
  client.on(Events.MessageCreate, (m) => console.log("GOT", m.content, m.guildId, m.channelId));
  client.on(Events.Debug, (d) => console.log("DBG", d.slice(0, 150)));
  client.on("raw", (p: any) => console.log("RAW", p.t));
  await client.login("tok");
  await new Promise((r) => client.once(Events.ClientReady, r));
  dc.message({ id: "800000000000000001", channelId: "800000000000000002", guild: false, author: { id: "800000000000000003", username: "x" }, content: "hey" });
  await new Promise((r) => setTimeout(r, 500));
  await client.destroy(); await dc.close();
});
