/** `{ jobId }` is all a queue message carries; the job's state lives in D1. */
export function jobIdOf(body: unknown): string | null {
  if (body && typeof body === "object" && "jobId" in body && typeof body.jobId === "string")
    return body.jobId;
  return null;
}
