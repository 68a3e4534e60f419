/**
 * Bounded concurrency for Lambda handlers that call AWS per item (data-quality queries, erasure object
 * rewrites and file checks): enough in flight to hide latency, few enough to stay inside API rate limits
 * and the function's memory.
 */

/** Runs `task` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
