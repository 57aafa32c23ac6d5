/** Small exact-order statistics: each call sums its own slice left to right, so a value never depends on data outside its window. */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); null for fewer than 2 values. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Whole days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumberOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 86_400_000;
}
