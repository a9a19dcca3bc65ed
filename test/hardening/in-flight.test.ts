// Each caller's requests running at once in one isolate are capped (CALLER_MAX_IN_FLIGHT, ADR 0013
// "Fairness"): more wait, polling on their own timer, for one of the caller's own to finish; other
// callers never wait for them. Sizes from wrangler.toml: 4 running, 10 s of waiting at most.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  callerLoad,
  MAX_WAITING,
  POLL_MS,
  SLOT_MS,
  takeSlot,
} from "../../src/middleware/rate-limit/in-flight";
import { call, expectProblem, newUser } from "../helpers/api";

const LIMIT = Number(env.CALLER_MAX_IN_FLIGHT);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (up to 10 s) until `caller` has these requests running and waiting in this isolate. */
async function until(caller: string, load: { running: number; waiting: number }) {
  for (let i = 0; i < 1000 && JSON.stringify(callerLoad(caller)) !== JSON.stringify(load); i++)
    await sleep(10);
  expect(callerLoad(caller)).toEqual(load);
}

async function holdAll(caller: string) {
  const slots: (() => void)[] = [];
  for (let i = 0; i < LIMIT; i++) slots.push((await takeSlot(caller, LIMIT, 0))!);
  expect(slots.every(Boolean)).toBe(true);
  return slots;
}

describe("per-caller requests in flight (#19 point 4)", () => {
  it("through the Worker: a user's request beyond the cap waits for one of theirs to finish; another user's does not wait", async () => {
    expect(LIMIT).toBeGreaterThan(0);
    const [a, b] = [await newUser(), await newUser()];
    const caller = `user:${a.id}`;
    // All of A's turns taken, as A's own running requests would hold them.
    const slots = await holdAll(caller);
    let answered = false;
    const waiting = call("/api/v1/me", { token: a.accessToken }).then((res) => {
      answered = true;
      return res;
    });
    await until(caller, { running: LIMIT, waiting: 1 });
    expect((await call("/api/v1/me", { token: b.accessToken })).status).toBe(200);
    await sleep(POLL_MS * 4);
    expect(answered).toBe(false);
    slots[0]!();
    slots[0]!(); // ending a slot twice frees one turn only
    const res = await waiting;
    expect(res.status).toBe(200);
    for (const slot of slots.slice(1)) slot();
    await until(caller, { running: 0, waiting: 0 });
  });

  it("many concurrent list requests of one user all answer 200: beyond the cap they queue, none is refused or fails", async () => {
    const a = await newUser();
    const answers = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) =>
        call(i % 2 ? "/api/v1/media?limit=50" : "/api/v1/jobs", { token: a.accessToken }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(3 * LIMIT).fill(200));
    await until(`user:${a.id}`, { running: 0, waiting: 0 });
  });

  it("beyond MAX_WAITING waiting requests a caller's next one is answered 429 with Retry-After, spending no token", async () => {
    const a = await newUser();
    const caller = `user:${a.id}`;
    const slots = await holdAll(caller);
    const waiters = Array.from({ length: MAX_WAITING }, () => takeSlot(caller, LIMIT, 10_000));
    await until(caller, { running: LIMIT, waiting: MAX_WAITING });
    const res = await call("/api/v1/me", { token: a.accessToken });
    expect(res.headers.get("retry-after")).toBe("1");
    await expectProblem(res, 429, "rate_limited");
    for (const slot of slots) slot();
    for (const waiter of waiters) (await waiter)!();
    await until(caller, { running: 0, waiting: 0 });
    // The refused request spent nothing: the next one sees the whole bucket but one token.
    const next = await call("/api/v1/me", { token: a.accessToken });
    expect(next.status).toBe(200);
    expect(Number(next.headers.get("ratelimit-remaining"))).toBe(
      Number(next.headers.get("ratelimit-limit")) - 1,
    );
  });

  it("a wait runs out after its bound (refused), and a slot its request never ended counts no longer than SLOT_MS", async () => {
    const caller = "test:bounds";
    const slots = await holdAll(caller);
    const started = Date.now();
    expect(await takeSlot(caller, LIMIT, 60)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(callerLoad(caller)).toEqual({ running: LIMIT, waiting: 0 });
    // Slots whose requests were cancelled (their `finally` never ran) stop counting once SLOT_MS old.
    const realNow = Date.now;
    try {
      Date.now = () => realNow() + SLOT_MS;
      const fresh = await takeSlot(caller, LIMIT, 0);
      expect(fresh).not.toBeNull();
      expect(callerLoad(caller)).toEqual({ running: 1, waiting: 0 });
      fresh!();
    } finally {
      Date.now = realNow;
    }
    for (const slot of slots) slot();
  });
});
