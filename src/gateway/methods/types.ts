import type { z } from "zod";
import type { Scope } from "../protocol/frames.js";
import type { GatewayServices } from "../services.js";

/** Who is calling: one authenticated WebSocket connection (or an in-process caller such as HTTP). */
export interface CallerInfo {
  connId: string;
  scopes: ReadonlySet<Scope>;
  clientId: string;
  clientMode: string;
  /** Sends an event frame to this caller only (e.g. a reply stream bound to the request). */
  send?: (event: string, payload: unknown) => void;
}

export interface MethodContext {
  services: GatewayServices;
  caller: CallerInfo;
  /** Fires when the connection closes or the gateway shuts down. */
  signal: AbortSignal;
  /**
   * Sends an interim successful response for this request before the handler's final one (OpenClaw's two-phase
   * `agent`: `{status:"accepted"}` first, the result when the run ends). Absent for in-process callers.
   */
  accept?: (payload: unknown) => void;
}

/**
 * One gateway method: its name, the scope it needs, the zod schema of its params (validated before the
 * handler runs; failures become INVALID_REQUEST naming the field) and the handler. Handlers throw
 * PincerError for failures a client should see.
 */
export interface MethodDef<S extends z.ZodType = z.ZodType> {
  name: string;
  scope: Scope;
  params: S;
  handler: (params: z.infer<S>, ctx: MethodContext) => unknown | Promise<unknown>;
}

export function defineMethod<S extends z.ZodType>(def: MethodDef<S>): MethodDef<S> {
  return def;
}
