import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { mapInParallel } from "../../src/lib/parallel";
import { s3Provider } from "../../src/storage/s3";
import { call, type TestUser } from "../helpers/api";

/** The local S3 server's bucket (test/servers/s3-server.ts), seen under `prefix`. */
export const testBucket = (prefix: string, secretAccessKey = env.TEST_S3_SECRET_ACCESS_KEY) =>
  s3Provider({
    endpoint: env.TEST_S3_ENDPOINT,
    region: "us-east-1",
    bucket: env.TEST_S3_BUCKET,
    prefix,
    accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
    secretAccessKey,
  });

/** A unique root in the shared test bucket, so test files and tests never see each other's keys. */
export const freshPrefix = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}/`;

export const connectionInput = (prefix: string, overrides: Record<string, string> = {}) => ({
  endpoint: env.TEST_S3_ENDPOINT,
  region: "us-east-1",
  bucket: env.TEST_S3_BUCKET,
  prefix,
  accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
  secretAccessKey: env.TEST_S3_SECRET_ACCESS_KEY,
  ...overrides,
});

export async function connect(user: TestUser, prefix: string): Promise<string> {
  const res = await call("/api/v1/storage/connections", {
    method: "POST",
    token: user.accessToken,
    json: connectionInput(prefix),
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return (JSON.parse(text) as { connection: { id: string } }).connection.id;
}

/** Runs `work` over `items`, `width` at a time (the app's bounded-concurrency helper). */
export const inParallel = <T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>) =>
  mapInParallel(items, width, work);

/**
 * Object requests the S3 server has answered, by method (its unsigned `/_stats`): under `prefix`'s
 * first segment only when given — what other test files do at the same time is not counted then.
 */
export async function s3Stats(prefix?: string): Promise<Record<string, number>> {
  const query = prefix === undefined ? "" : `?prefix=${encodeURIComponent(prefix)}`;
  return (await fetch(`${env.TEST_S3_ENDPOINT}/_stats${query}`)).json();
}
