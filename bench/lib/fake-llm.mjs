/** The timed fake LLM (bench/fake-llm-timed.ts) as a child process of the benchmark. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./pincer.mjs";
import { stopProcess } from "./proc.mjs";

export async function startTimedFakeLlm() {
  const proc = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bench/fake-llm-timed.ts")], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const ready = await new Promise((resolve, reject) => {
    proc.once("message", resolve);
    proc.once("exit", (code) => reject(new Error(`bench/fake-llm-timed.ts exited with ${code} before listening`)));
  });
  return {
    pid: proc.pid,
    url: ready.url,
    openaiBaseUrl: ready.openaiBaseUrl,
    /** Per-request durations (ms, the fake's own side) since the previous call. */
    takeDurations() {
      return new Promise((resolve) => {
        const onMessage = (m) => {
          if (m?.type !== "stats") return;
          proc.off("message", onMessage);
          resolve(m.durationsMs);
        };
        proc.on("message", onMessage);
        proc.send({ type: "stats" });
      });
    },
    async stop() {
      if (proc.connected) proc.disconnect();
      await stopProcess(proc);
    },
  };
}

/** A pincer.json whose default model is fake/fake-model on the fake's OpenAI Chat Completions endpoint. */
export function fakeModelConfig(fake) {
  return {
    models: {
      providers: {
        fake: {
          baseUrl: fake.openaiBaseUrl,
          apiKey: "bench",
          api: "openai-completions",
          models: [{ id: "fake-model", contextWindow: 128_000 }],
        },
      },
    },
    agents: { defaults: { model: { primary: "fake/fake-model" } } },
  };
}
