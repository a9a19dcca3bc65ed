// Imports from the host (src/wasm/core.ts).

// stage: 1 quantizing, 2 tracing; fraction 0..1 within the stage
@external("env", "progress")
export declare function progress(stage: i32, fraction: f64): void;
