import { RASTER_TYPES } from "../images/sources";

/** Types whose pixels the Worker decodes (src/wasm/codecs.ts), and so gets fingerprints of. */
export const FINGERPRINTED_TYPES = RASTER_TYPES;

/** How many times a blob's fingerprints are tried before they are marked failed. */
export const FINGERPRINT_ATTEMPTS = 3;
