import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { BlockList, isIP, type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { PincerError } from "../../errors.js";

/**
 * HTTP(S) GET/POST for tools that reach the web on the model's behalf. Guards: only http/https; private,
 * loopback and link-local addresses refused (checked on the resolved address, on every redirect hop, so DNS
 * tricks and redirects to 127.0.0.1 do not get through) unless allowed by ssrfPolicy; a byte cap on the
 * decompressed body (the rest is never read); a deadline for the whole exchange; a bounded redirect chain.
 */

export interface SsrfPolicy {
  allowedHostnames: readonly string[];
  allowPrivate: boolean;
}

export interface GuardedFetchOptions {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  ssrf: SsrfPolicy;
  signal: AbortSignal;
}

export interface GuardedResponse {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** True when the body was cut at maxBytes. */
  truncated: boolean;
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv6");

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return PRIVATE.check(mapped, "ipv4");
    return PRIVATE.check(address, "ipv6");
  }
  return true;
}

function hostAllowed(hostname: string, policy: SsrfPolicy): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  return policy.allowPrivate || policy.allowedHostnames.some((a) => a.toLowerCase() === h);
}

function blocked(hostname: string, address: string): PincerError {
  return new PincerError(
    "FORBIDDEN",
    `${hostname} resolves to ${address}, a private or local address; fetching it is blocked (tools.web.fetch.ssrfPolicy.allowedHostnames)`,
  );
}

function guardedLookup(policy: SsrfPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as LookupAddress[];
      if (!hostAllowed(hostname, policy)) {
        const bad = list.find((a) => isPrivateAddress(a.address));
        if (bad) return callback(blocked(hostname, bad.address), "", 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

export async function guardedFetch(rawUrl: string, opts: GuardedFetchOptions): Promise<GuardedResponse> {
  // One plain controller aborted by the timer or the caller, both detached in `finally`: on Node 20 an
  // `AbortSignal.any` of the two is kept (with its listeners' captures) until it aborts, which a fetch
  // that completes in time never does.
  const call = new AbortController();
  const forwardAbort = () => call.abort(opts.signal.reason);
  if (opts.signal.aborted) forwardAbort();
  else opts.signal.addEventListener("abort", forwardAbort, { once: true });
  const timer = setTimeout(() => call.abort(), opts.timeoutMs);
  const signal = call.signal;
  try {
    let url = parseUrl(rawUrl);
    for (let hop = 0; ; hop++) {
      const host = url.hostname.replace(/^\[|\]$/g, "");
      if (isIP(host) && isPrivateAddress(host) && !hostAllowed(host, opts.ssrf)) throw blocked(host, host);
      const res = await request(url, opts, hop === 0, signal);
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (hop >= opts.maxRedirects)
          throw new PincerError(
            "INVALID_REQUEST",
            `too many redirects (more than ${opts.maxRedirects}) from ${rawUrl}`,
          );
        url = parseUrl(new URL(location, url).toString());
        continue;
      }
      const { body, truncated } = await readCapped(res, opts.maxBytes, signal);
      return { url: url.toString(), status: res.statusCode ?? 0, headers: res.headers, body, truncated };
    }
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener("abort", forwardAbort);
  }
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PincerError("INVALID_REQUEST", `"${raw}" is not a URL; give an absolute http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new PincerError("INVALID_REQUEST", `only http and https URLs can be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new PincerError("INVALID_REQUEST", "URLs with credentials are not fetched");
  return url;
}

async function request(
  url: URL,
  opts: GuardedFetchOptions,
  first: boolean,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const mod = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const method = first ? (opts.method ?? "GET") : "GET";
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method,
        headers: { "accept-encoding": "gzip, deflate, br", ...opts.headers },
        lookup: guardedLookup(opts.ssrf),
        signal,
      },
      resolve,
    );
    req.on("error", (err) => reject(signal.aborted ? timeoutError(url, opts, err) : err));
    if (method === "POST" && opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

function timeoutError(url: URL, opts: GuardedFetchOptions, err: unknown): Error {
  if (opts.signal.aborted) return err instanceof Error ? err : new Error(String(err));
  return new PincerError("UNAVAILABLE", `${url.host} did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, {
    retryable: true,
  });
}

async function readCapped(
  res: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; truncated: boolean }> {
  const encoding = String(res.headers["content-encoding"] ?? "").toLowerCase();
  let stream: Readable = res;
  if (encoding === "gzip" || encoding === "x-gzip") stream = res.pipe(createGunzip());
  else if (encoding === "deflate") stream = res.pipe(createInflate());
  else if (encoding === "br") stream = res.pipe(createBrotliDecompress());
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      if (size + buf.length > maxBytes) {
        chunks.push(buf.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch (err) {
    if (signal.aborted && !truncated) throw new PincerError("UNAVAILABLE", "the response did not finish in time");
    throw err;
  } finally {
    // Stop downloading the rest (a 50 MB page is dropped after maxBytes, not read).
    res.destroy();
  }
  return { body: Buffer.concat(chunks), truncated };
}
