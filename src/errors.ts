/**
 * Errors are values with a stable code and a message a person can act on.
 * The same shape goes on the wire as a response frame's `error` (ErrorShape in the protocol).
 */
export type ErrorCode =
  | "INVALID_REQUEST"
  | "UNKNOWN_METHOD"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "NOT_PAIRED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNAVAILABLE"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "CONFIG_INVALID"
  | "MODEL_NOT_CONFIGURED"
  | "MODEL_ERROR"
  | "ABORTED"
  | "BUDGET_EXCEEDED"
  | "INTERNAL";

export interface ErrorShape {
  code: ErrorCode | (string & {});
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

export class PincerError extends Error {
  readonly code: ErrorShape["code"];
  readonly details?: unknown;
  readonly retryable?: boolean;
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorShape["code"],
    message: string,
    opts: Omit<ErrorShape, "code" | "message"> & { cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "PincerError";
    this.code = code;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.retryable !== undefined) this.retryable = opts.retryable;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  toShape(): ErrorShape {
    const shape: ErrorShape = { code: this.code, message: this.message };
    if (this.details !== undefined) shape.details = this.details;
    if (this.retryable !== undefined) shape.retryable = this.retryable;
    if (this.retryAfterMs !== undefined) shape.retryAfterMs = this.retryAfterMs;
    return shape;
  }
}

/** Turns anything thrown into a wire error; unexpected exceptions become INTERNAL without a stack trace. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof PincerError) return err.toShape();
  const message = err instanceof Error && err.message ? err.message : String(err);
  return { code: "INTERNAL", message: message || "internal error" };
}
