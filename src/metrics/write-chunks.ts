/**
 * Writes `items` a chunk at a time (each chunk one D1 batch, all or nothing) and stops at the first
 * chunk that fails: what it returns as unwritten (that chunk and the rest) was not written at all,
 * so an aggregator can keep exactly those for its next flush and never count a chunk twice.
 */
export async function writeChunks<T>(
  items: T[],
  size: number,
  write: (chunk: T[]) => Promise<unknown>,
): Promise<{ unwritten: T[]; error?: unknown }> {
  for (let i = 0; i < items.length; i += size) {
    try {
      await write(items.slice(i, i + size));
    } catch (error) {
      return { unwritten: items.slice(i), error };
    }
  }
  return { unwritten: [] };
}
