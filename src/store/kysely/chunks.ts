/** Splits a list so that no statement exceeds the driver's bound-parameter limit. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Sorted ids as inclusive [from, to] runs: a claimed batch is usually one run, so acking it is
 * one range statement instead of a 10,000-id IN list. Ranges cover only ids in the list, so an
 * id that committed late inside a gap is never touched.
 */
export function contiguousRanges(ids: readonly number[]): [number, number][] {
  const sorted = [...ids].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const id of sorted) {
    const last = ranges.at(-1);
    if (last && id <= last[1] + 1) last[1] = Math.max(last[1], id);
    else ranges.push([id, id]);
  }
  return ranges;
}
