import { describe, expect, it } from "vitest";
import { mapInParallel, runInLanes } from "../../src/lib/parallel";

/** A task that finishes when the test says so, recording when it started and ended. */
function gate() {
  const log: string[] = [];
  const open = new Map<string, () => void>();
  let inFlight = 0;
  let most = 0;
  const work = (item: string) =>
    new Promise<void>((resolve) => {
      inFlight++;
      most = Math.max(most, inFlight);
      log.push(`start ${item}`);
      open.set(item, () => {
        inFlight--;
        log.push(`end ${item}`);
        resolve();
      });
    });
  const finish = async (item: string) => {
    open.get(item)!();
    open.delete(item);
    // let the runner pick its next item
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { log, work, finish, most: () => most, started: () => [...open.keys()] };
}

describe("runInLanes", () => {
  it("keeps at most `width` in flight and runs one lane's items in order, one after another", async () => {
    const g = gate();
    const lane = (item: string) => item[0]!;
    const done = runInLanes(["a1", "b1", "a2", "c1", "a3", "d1"], lane, 2, g.work);
    await Promise.resolve();
    expect(g.started()).toEqual(["a1", "b1"]);
    await g.finish("a1");
    expect(g.started()).toEqual(["b1", "a2"]); // a2 waited for a1, not for a free slot elsewhere
    await g.finish("b1");
    expect(g.started()).toEqual(["a2", "c1"]);
    await g.finish("a2");
    expect(g.started()).toEqual(["c1", "a3"]);
    await g.finish("c1");
    await g.finish("a3");
    await g.finish("d1");
    await done;
    expect(g.most()).toBe(2);
    const order = g.log.filter((l) => l.startsWith("start a"));
    expect(order).toEqual(["start a1", "start a2", "start a3"]);
  });

  it("after a failure starts nothing new, lets the calls in flight finish, then throws the first error", async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const work = async (item: string) => {
      started.push(item);
      if (item === "x") throw new Error("boom");
      await new Promise((r) => setTimeout(r, 5));
      finished.push(item);
    };
    await expect(runInLanes(["a", "x", "b", "c"], (i) => i, 2, work)).rejects.toThrow("boom");
    expect(started).toEqual(["a", "x"]);
    expect(finished).toEqual(["a"]);
  });

  it("an empty list does nothing", async () => {
    let calls = 0;
    await runInLanes(
      [],
      () => "",
      4,
      async () => void calls++,
    );
    expect(calls).toBe(0);
  });
});

describe("mapInParallel", () => {
  it("answers in the items' order with at most `width` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapInParallel([30, 10, 20, 5], 2, async (ms) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return ms * 2;
    });
    expect(out).toEqual([60, 20, 40, 10]);
    expect(most).toBe(2);
  });

  it("after a failure starts nothing new and throws once the calls in flight finished", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      if (n === 2) throw new Error("boom");
      await new Promise((r) => setTimeout(r, 5));
      finished.push(n);
      return n;
    };
    await expect(mapInParallel([1, 2, 3, 4], 2, work)).rejects.toThrow("boom");
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([1]);
  });
});
