import { z } from "zod";
import type { VisitorCredential } from "../gateway/client.js";

/**
 * The visitor identity of this browser: issued once by the gateway (POST <base>/webchat/visitor), then kept in
 * localStorage so the visitor finds their conversation again. It is not the operator token and grants only
 * the visitor's own chat.
 */

const STORAGE_KEY = "pincer.webchat.visitor";

const IdentitySchema = z.object({ visitorId: z.string().min(1), token: z.string().min(1) });
const RefusalSchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z.looseObject({ code: z.string() }).optional(),
  }),
});

let memoryIdentity: VisitorCredential | undefined;

export function loadVisitor(): VisitorCredential | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const parsed = IdentitySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Storage disabled (privacy mode, sandboxed frame) or a corrupt entry: a new identity per page load.
    return memoryIdentity;
  }
}

export function saveVisitor(identity: VisitorCredential): void {
  memoryIdentity = identity;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(identity));
  } catch {
    // Kept in memory only.
  }
}

export function forgetVisitor(): void {
  memoryIdentity = undefined;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * The visitor endpoint next to this page: the chat page is `<base>/chat`, so the endpoint is
 * `<base>/webchat/visitor` whether the UI is served at the root or under gateway.controlUi.basePath.
 */
export function visitorEndpoint(loc: Pick<Location, "origin" | "pathname"> = location): string {
  const base = loc.pathname.replace(/\/chat\/?$/, "").replace(/\/+$/, "");
  return `${loc.origin}${base}/webchat/visitor`;
}

export type IdentityResult =
  | { ok: true; identity: VisitorCredential }
  | { ok: false; disabled: boolean; message: string };

/** The stored identity, or a new one from the gateway. */
export async function obtainVisitor(endpoint = visitorEndpoint()): Promise<IdentityResult> {
  const stored = loadVisitor();
  if (stored) return { ok: true, identity: stored };
  let res: Response;
  try {
    res = await fetch(endpoint, { method: "POST", credentials: "omit", cache: "no-store" });
  } catch (err) {
    return { ok: false, disabled: false, message: `Cannot reach the chat service: ${(err as Error).message}` };
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const identity = IdentitySchema.safeParse(body);
    if (!identity.success) return { ok: false, disabled: false, message: "The chat service answered unexpectedly." };
    saveVisitor(identity.data);
    return { ok: true, identity: identity.data };
  }
  const refusal = RefusalSchema.safeParse(body);
  const disabled = refusal.success && refusal.data.error.details?.code === "WEBCHAT_DISABLED";
  return {
    ok: false,
    disabled,
    message: disabled
      ? "This chat is not available right now."
      : refusal.success
        ? refusal.data.error.message
        : `The chat service refused (HTTP ${res.status}).`,
  };
}
