import type { IncomingMessage } from "node:http";

/** A client that has not sent its whole body within this long is cut off (slow-loris guard). */
export const BODY_TIMEOUT_MS = 10_000;

export type BodyFailure =
  | { ok: false; reason: "too_large"; status: 413; message: string }
  | { ok: false; reason: "timeout"; status: 408; message: string }
  | { ok: false; reason: "invalid_json"; status: 400; message: string }
  | { ok: false; reason: "unreadable"; status: 400; message: string };

export type BodyResult = { ok: true; value: unknown; bytes: number } | BodyFailure;

/**
 * Reads a JSON request body of at most `maxBytes`. A declared Content-Length over the limit is refused before
 * a byte is read; a body that grows past it is refused as soon as it does, and the rest is drained so the
 * error response still reaches the client. An empty body reads as `{}`'s absence: `undefined`.
 */
export function readJsonBody(
  req: IncomingMessage,
  opts: { maxBytes: number; timeoutMs?: number },
): Promise<BodyResult> {
  const { maxBytes } = opts;
  const tooLarge = (): BodyFailure => ({
    ok: false,
    reason: "too_large",
    status: 413,
    message: `the request body is larger than ${maxBytes.toLocaleString("en")} bytes`,
  });
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(tooLarge());
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      settle({ ok: false, reason: "timeout", status: 408, message: "the request body did not arrive in time" });
      req.destroy();
    }, opts.timeoutMs ?? BODY_TIMEOUT_MS);
    timer.unref();
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        settle(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text.trim()) {
        settle({ ok: true, value: undefined, bytes: size });
        return;
      }
      try {
        settle({ ok: true, value: JSON.parse(text), bytes: size });
      } catch {
        settle({ ok: false, reason: "invalid_json", status: 400, message: "the request body is not valid JSON" });
      }
    });
    req.on("error", () =>
      settle({ ok: false, reason: "unreadable", status: 400, message: "the request body could not be read" }),
    );
  });
}

/** The Bearer token of an Authorization header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string") return undefined;
  return /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() || undefined;
}

/** The client address the auth limiter counts failures against. */
export function remoteAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}
