/** Stable error codes of the tracer; the API maps them to HTTP problems. */
export type TraceErrorCode =
  | "invalid_options"
  | "unsupported_format"
  | "corrupt_image"
  | "too_many_pixels"
  | "trace_failed";

export class TraceError extends Error {
  readonly code: TraceErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: TraceErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "TraceError";
    this.code = code;
    this.details = details;
  }
}

export function isTraceError(e: unknown): e is TraceError {
  return e instanceof TraceError;
}
