import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { z } from "zod";
import { GatewayCallError } from "../gateway/client.js";
import { useConnectionId, useGateway } from "./gateway-context.js";

export type CallState<T> =
  | { phase: "loading" }
  | { phase: "ok"; data: T }
  /** The gateway does not implement the method (UNKNOWN_METHOD): the feature is not available there yet. */
  | { phase: "unavailable"; method: string; message: string }
  | { phase: "error"; code: string; message: string };

/**
 * Calls a read method once connected, again after every reconnect and on `reload()`, and parses the answer
 * with `schema`. A payload that does not fit the schema is an error shown to the person, not a crash.
 */
export function useCall<S extends z.ZodType>(
  method: string,
  params: unknown,
  schema: S,
  deps: unknown[] = [],
): [CallState<z.infer<S>>, () => Promise<void>] {
  const gw = useGateway();
  const connId = useConnectionId();
  const [state, setState] = useState<CallState<z.infer<S>>>({ phase: "loading" });
  const latest = useRef(0);
  const paramsJson = JSON.stringify(params);
  // Params are compared by their JSON, so a new object literal per render does not refetch.
  const run = useCallback(async () => {
    if (!connId) return;
    const ticket = ++latest.current;
    try {
      const payload = await gw.call(method, JSON.parse(paramsJson));
      if (ticket !== latest.current) return;
      const parsed = schema.safeParse(payload);
      setState(
        parsed.success
          ? { phase: "ok", data: parsed.data }
          : {
              phase: "error",
              code: "BAD_PAYLOAD",
              message: `${method} answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? ""} at ${parsed.error.issues[0]?.path.join(".") ?? ""}`,
            },
      );
    } catch (err) {
      if (ticket !== latest.current) return;
      setState(callErrorState(method, err));
    }
  }, [gw, connId, method, paramsJson, ...deps]);
  useEffect(() => {
    void run();
  }, [run]);
  return [state, run];
}

export function callErrorState(method: string, err: unknown): CallState<never> {
  if (err instanceof GatewayCallError) {
    if (err.code === "UNKNOWN_METHOD") {
      return { phase: "unavailable", method, message: `${method} is not available on this gateway yet.` };
    }
    return { phase: "error", code: err.code, message: err.message };
  }
  return { phase: "error", code: "INTERNAL", message: err instanceof Error ? err.message : String(err) };
}
