import { createRouter } from "../openapi";
import { startFingerprintsHandler } from "./fingerprints.handlers";
import { startFingerprints } from "./fingerprints.routes";

export const fingerprintsRouter = createRouter().openapi(startFingerprints, startFingerprintsHandler);
