import { z } from "@hono/zod-openapi";
import { jobSchema } from "../../job-types";
import { requires } from "../../policy";
import { createRoute, jsonContent, pickProblems } from "../openapi";

export const startFingerprints = createRoute({
  operationId: "startFingerprints",
  method: "post",
  path: "/media/fingerprints",
  tags: ["Media"],
  middleware: [requires({ kind: "user", scope: "jobs:write" })] as const,
  summary: "Make the image fingerprints your library lacks (a job)",
  description:
    "Images get their fingerprints (SHA-256 of the decoded pixels, a 64-bit perceptual hash and a colour signature) at upload; this job makes them for images uploaded before, and again for those whose look-alike fingerprints are of an older version, so duplicate searches by `pixels` or `similar` see every image. Answers the job already running if there is one. Organize plans with those match kinds make missing fingerprints themselves too.",
  responses: {
    202: jsonContent(z.object({ job: jobSchema }), "The backfill job"),
    ...pickProblems(401, 403),
  },
});
