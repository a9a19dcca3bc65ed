// Imports from the host (src/wasm/core.ts).

// stage: 1 quantizing, 2 tracing; fraction 0..1 within the stage
@external("env", "progress")
export declare function progress(stage: i32, fraction: f64): void;

// A chance for the host to let other work run (where it can suspend the trace: see core.ts); called
// often from the long loops, cheap when the host does nothing with it.
@external("env", "tick")
export declare function tick(): void;

/** a tick every 16 rows */
@inline export function rowTick(y: i32): void {
  if ((y & 15) == 0) tick();
}

/** a tick every 16384 pixels */
@inline export function pixelTick(i: i32): void {
  if ((i & 16383) == 0) tick();
}
