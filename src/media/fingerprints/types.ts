import { RASTER_TYPES } from "../images/sources";

/** Types whose pixels the Worker decodes (src/wasm/codecs.ts), and so gets fingerprints of. */
export const FINGERPRINTED_TYPES = RASTER_TYPES;

/** How many times a blob's fingerprints are tried before they are marked failed. */
export const FINGERPRINT_ATTEMPTS = 3;

/**
 * The version of the look-alike fingerprints (pHash and colour signature) that uploads make now.
 * 1: the first pHash; 2: pHash of the mean-centred, edge-windowed grey image with a flat-picture
 * rule, and the colour signature. Older rows are made again by the backfill job and by plans.
 */
export const FINGERPRINT_VERSION = 2;
