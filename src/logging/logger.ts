import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Logger, StreamEntry } from "pino";

// pino is CommonJS: require() skips the ESM wrapping of its files, a few ms of every gateway start.
const pino = createRequire(import.meta.url)("pino") as typeof import("pino").default;

export type { Logger };

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface LoggerOptions {
  level: LogLevel;
  /** Level for the console; defaults to `level`. */
  consoleLevel?: LogLevel;
  /** JSON lines go here (rotated by the file name's date); undefined disables the file. */
  logsDir?: string;
  /** Pretty output for people on a terminal, JSON for machines otherwise. */
  pretty?: boolean;
}

const MESSAGE_KEY = "message";

/** Keys whose values never reach a log line. */
const REDACT_PATHS = [
  "token",
  "password",
  "apiKey",
  "authorization",
  "*.token",
  "*.password",
  "*.apiKey",
  "*.authorization",
  "auth.token",
  "auth.password",
];

export function logFileName(date = new Date()): string {
  return `pincer-${date.toISOString().slice(0, 10)}.log`;
}

/**
 * One pino logger writing JSON to logs/pincer-YYYY-MM-DD.log and, to stderr, pretty lines on a TTY or JSON
 * otherwise. Console output goes to stderr so `pincer gateway call … --json` keeps stdout clean.
 * Lines carry `time` (ISO 8601), `level` (its name) and `message`, the fields OpenClaw's `openclaw logs` reads
 * from `logs.tail`, so its CLI shows Pincer's log as it shows its own.
 */
export async function createLogger(opts: LoggerOptions): Promise<{ logger: Logger; file?: string }> {
  const streams: StreamEntry[] = [];
  const consoleLevel = opts.consoleLevel ?? opts.level;
  if (consoleLevel !== "silent") {
    if (opts.pretty) {
      const { default: pretty } = await import("pino-pretty");
      streams.push({
        level: consoleLevel,
        stream: pretty({ destination: 2, colorize: true, translateTime: "HH:MM:ss", messageKey: MESSAGE_KEY }),
      });
    } else {
      streams.push({ level: consoleLevel, stream: pino.destination({ dest: 2, sync: false }) });
    }
  }
  let file: string | undefined;
  if (opts.logsDir && opts.level !== "silent") {
    mkdirSync(opts.logsDir, { recursive: true, mode: 0o700 });
    file = join(opts.logsDir, logFileName());
    streams.push({ level: opts.level, stream: pino.destination({ dest: file, sync: false, mkdir: true }) });
  }
  const levels = streams.map((s) => s.level ?? "info");
  const minLevel = lowestLevel(levels) ?? "silent";
  const logger = pino(
    {
      level: minLevel,
      base: { pid: process.pid },
      messageKey: MESSAGE_KEY,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    pino.multistream(streams, { dedupe: false }),
  );
  return file ? { logger, file } : { logger };
}

function lowestLevel(levels: string[]): LogLevel | undefined {
  const order = ["trace", "debug", "info", "warn", "error", "fatal"];
  const idx = levels.map((l) => order.indexOf(l)).filter((i) => i >= 0);
  if (idx.length === 0) return undefined;
  return order[Math.min(...idx)] as LogLevel;
}
