// Platform-neutral exports shared by the workerd entry (index.ts) and the Node entry (node.ts).
export type {
  Decoder,
  Decoders,
  ProgressCallback,
  TraceCallOptions,
  TraceProgress,
  TraceResult,
  Tracer,
  TracerDeps,
  TraceStage,
  TraceStats,
  TraceStopAfter,
} from "./core";
export { createTracer } from "./core";
export { isTraceError, TraceError, type TraceErrorCode } from "./errors";
export {
  downscaleInto,
  fitToCap,
  type ImageFormat,
  type ImageHeader,
  type RgbaImage,
  readHeader,
} from "./image";
export {
  ABSOLUTE_MAX_PIXELS,
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_MAX_PIXELS,
  PRESETS,
  type ResolvedTraceOptions,
  resolveOptions,
  TRACE_MODES,
  TRACE_PRESETS,
  type TraceMode,
  type TraceOptions,
  type TracePreset,
  traceOptionsSchema,
} from "./options";
