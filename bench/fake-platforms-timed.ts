/**
 * The fake platform APIs (test/fixtures/fake-platforms) in their own process for bench/channels.mjs, timing
 * inbound → outbound on the platform's side: from the moment a Telegram update is queued for the bot to the
 * moment the bot's sendMessage for that chat arrives. Run under tsx with an IPC channel.
 * Messages in:
 *   {type:"telegram", bots:n}             → {type:"telegram", apiRoot, tokens}
 *   {type:"four"}                         → {type:"four", channels} (Telegram, Discord, Slack and ngircd configs)
 *   {type:"sequential", tokens, messages} → {type:"latencies", ms[]}: one message at a time, round robin over tokens
 *   {type:"burst", tokens, messages}      → {type:"burst", wallMs, latencies}: all queued at once
 * Message out first: {type:"ready"}.
 */
import { startFakeDiscord } from "../test/fixtures/fake-platforms/discord.js";
import { ngircdAvailable, startNgircd } from "../test/fixtures/fake-platforms/ngircd.js";
import { startFakeSlack } from "../test/fixtures/fake-platforms/slack.js";
import { type FakeTelegram, startFakeTelegram } from "../test/fixtures/fake-platforms/telegram.js";

if (!process.send) {
  process.stderr.write("fake-platforms-timed: run me with an IPC channel, from bench/channels.mjs\n");
  process.exit(2);
}
const send = (m: unknown): void => {
  process.send?.(m);
};

/** A chat is a user id; each bot gets its own range so replies are matched to the message that caused them. */
const USERS_PER_BOT = 50;
const REPLY_TIMEOUT_MS = 120_000;

let tg: FakeTelegram | undefined;
const closers: (() => Promise<void>)[] = [];
/** Per "token:chat", the queue times of messages not answered yet, oldest first. */
const waiting = new Map<string, number[]>();
let answered: ((latencyMs: number) => void) | undefined;
let seen = 0;

async function telegram(): Promise<FakeTelegram> {
  if (tg) return tg;
  const fake = await startFakeTelegram();
  closers.push(() => fake.close());
  // Every reply resolves the oldest unanswered message of its chat (a chat's turns run in order).
  const push = fake.calls.push.bind(fake.calls);
  fake.calls.push = (call) => {
    if (call.method === "sendMessage" && call.status === 200) {
      const queue = waiting.get(`${call.token}:${call.params.chat_id}`);
      const t0 = queue?.shift();
      if (t0 !== undefined) answered?.(performance.now() - t0);
    }
    // The recorder would keep every call of a long run; the bench needs none of them afterwards.
    if (fake.calls.items.length > 1_000) fake.calls.clear();
    push(call);
  };
  tg = fake;
  return fake;
}

function pushMessage(fake: FakeTelegram, tokens: string[], i: number): void {
  const b = i % tokens.length;
  const token = tokens[b]!;
  const user = 100_000 + b * USERS_PER_BOT + (Math.floor(i / tokens.length) % USERS_PER_BOT);
  const key = `${token}:${user}`;
  if (!waiting.has(key)) waiting.set(key, []);
  waiting.get(key)!.push(performance.now());
  fake.pushMessage(token, {
    chat: { id: user, type: "private" },
    from: { id: user, first_name: "Bench", username: `bench${user}` },
    text: `bench message ${i}`,
  });
}

function untilAnswered(count: number, onEach: (ms: number) => void): Promise<void> {
  seen = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} messages answered`)), REPLY_TIMEOUT_MS);
    answered = (ms) => {
      onEach(ms);
      if (++seen >= count) {
        clearTimeout(timer);
        answered = undefined;
        resolve();
      }
    };
  });
}

async function handle(m: Record<string, unknown>): Promise<void> {
  switch (m.type) {
    case "telegram": {
      const fake = await telegram();
      const tokens = Array.from({ length: Number(m.bots) }, (_, i) => `${5000 + i}:bench`);
      tokens.forEach((token, i) => {
        fake.addBot(token, `pincer_bench_${i}_bot`);
      });
      return send({ type: "telegram", apiRoot: fake.apiRoot, tokens });
    }
    case "four": {
      const fake = await telegram();
      fake.addBot("6000:four", "pincer_four_bot");
      const dc = await startFakeDiscord({ token: "discord-bench-token" });
      const sl = await startFakeSlack({ botToken: "xoxb-bench", appToken: "xapp-bench" });
      closers.push(
        () => dc.close(),
        () => sl.close(),
      );
      const channels: Record<string, unknown> = {
        telegram: { apiRoot: fake.apiRoot, botToken: "6000:four", dmPolicy: "open" },
        discord: { apiRoot: dc.apiRoot, token: "discord-bench-token" },
        slack: { apiUrl: sl.apiUrl, botToken: "xoxb-bench", appToken: "xapp-bench" },
      };
      if (ngircdAvailable()) {
        const irc = await startNgircd({ password: "bench-pass" });
        closers.push(() => irc.close());
        channels.irc = {
          host: irc.host,
          port: irc.port,
          password: "bench-pass",
          nick: "pincerb",
          channels: ["#bench"],
        };
      }
      return send({ type: "four", channels });
    }
    case "sequential": {
      const fake = await telegram();
      const tokens = m.tokens as string[];
      const ms: number[] = [];
      for (let i = 0; i < Number(m.messages); i++) {
        const done = untilAnswered(1, (x) => ms.push(x));
        pushMessage(fake, tokens, i);
        await done;
      }
      return send({ type: "latencies", ms });
    }
    case "burst": {
      const fake = await telegram();
      const tokens = m.tokens as string[];
      const count = Number(m.messages);
      const latencies: number[] = [];
      const done = untilAnswered(count, (x) => latencies.push(x));
      const t0 = performance.now();
      for (let i = 0; i < count; i++) pushMessage(fake, tokens, i);
      await done;
      return send({ type: "burst", wallMs: performance.now() - t0, latencies });
    }
    default:
      return send({ type: "error", message: `unknown message type ${String(m.type)}` });
  }
}

process.on("message", (m: unknown) => {
  handle(m as Record<string, unknown>).catch((err: Error) => send({ type: "error", message: err.message }));
});
process.on("disconnect", () => {
  void Promise.allSettled(closers.map((c) => c())).finally(() => process.exit(0));
});
send({ type: "ready" });
