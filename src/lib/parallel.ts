// Bounded concurrency: what a Worker has in flight at a store (subrequests, sockets) stays bounded
// without waiting on one request at a time. One runner; `mapInParallel` is its lane-per-item case.

/**
 * Runs `work` over `items` with at most `width` in flight, except that items sharing a lane key run
 * one after another in their input order (so work that must see an earlier item's effect — the same
 * bytes to the same folder — still does). Lanes start in the order of their first item. When one
 * call throws, no new item starts; the calls in flight finish, then the first error is thrown — as a
 * serial loop would stop after its current item.
 */
export async function runInLanes<T>(
  items: readonly T[],
  laneOf: (item: T) => string,
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const lanes = new Map<string, T[]>();
  for (const item of items) {
    const key = laneOf(item);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const queue = [...lanes.values()];
  let next = 0;
  let failure: { error: unknown } | null = null;
  const runner = async () => {
    while (!failure && next < queue.length) {
      const lane = queue[next++]!;
      for (const item of lane) {
        if (failure) return;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, queue.length)) }, runner));
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * `work` over every item, at most `width` at a time; the answers in the items' order. A failure
 * stops it as `runInLanes` does: nothing new starts, the calls in flight finish, the first error is thrown.
 */
export async function mapInParallel<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  const indexes = items.map((_, i) => i);
  await runInLanes(indexes, String, width, async (i) => {
    out[i] = await work(items[i]!);
  });
  return out;
}
