import { env } from "cloudflare:workers";

/**
 * The bytes of a file in test/fixtures/ (see its README for where each comes from). workerd has no
 * file system, so vitest.config.ts serves that folder through the FIXTURES service binding. A missing
 * fixture fails the test: it is part of the repository, never optional.
 */
export async function fixture(name: string): Promise<Uint8Array> {
  const res = await env.FIXTURES.fetch(`http://fixtures/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`test/fixtures/${name}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}
