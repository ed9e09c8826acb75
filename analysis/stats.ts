/**
 * Robust statistics for step timings, and the rank test that decides whether a set of
 * recent timings is slower than its baseline. Pure functions; inputs are never mutated.
 *
 * Mann–Whitney U, one-sided (candidate greater): U counts the pairs (x, y) with x > y, a
 * tie counting ½. The p-value is P(U ≥ u) under H0 (both from one distribution): exact, by
 * counting rank arrangements, when there are no ties and n₁·n₂ ≤ 2500; otherwise the
 * normal approximation with the tie-corrected variance and a continuity correction.
 */
import type { StatSummary } from '../core/result.ts';

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** Linear interpolation between order statistics (R's type 7). NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const h = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const a = s[lo] ?? NaN;
  const b = s[Math.min(lo + 1, s.length - 1)] ?? a;
  return a + (h - lo) * (b - a);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** Median absolute deviation from the median (unscaled). */
export function mad(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

export function summarize(xs: readonly number[]): StatSummary {
  return { count: xs.length, median: median(xs), mad: mad(xs), p90: quantile(xs, 0.9) };
}

/**
 * Standard normal upper tail, P(Z > z) = erfc(z/√2)/2, with erfc by the Chebyshev fit of
 * Numerical Recipes' erfcc: fractional error < 1.2e-7 on erfc, so |error| < 6e-8 on the tail.
 */
export function normalUpper(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  const erfc = x >= 0 ? y : 2 - y;
  return erfc / 2;
}

/** The null distribution depends only on the sample sizes: computed once per pair. */
const U_COUNTS = new Map<string, Float64Array>();
function uCounts(n1: number, n2: number): Float64Array {
  const key = `${n1}×${n2}`;
  let counts = U_COUNTS.get(key);
  if (counts === undefined) {
    counts = computeUCounts(n1, n2);
    if (U_COUNTS.size > 256) U_COUNTS.clear();
    U_COUNTS.set(key, counts);
  }
  return counts;
}

/** Number of arrangements giving each U (0…n1·n2) for sample sizes n1, n2 with no ties. */
function computeUCounts(n1: number, n2: number): Float64Array {
  // f(i,j,u) = f(i−1,j,u−j) + f(i,j−1,u): the largest value is an x (beating all j y's) or a y.
  // The counts for (n1, n2) and (n2, n1) are the same, so the rolling row runs over the smaller
  // size, and each f(i,j) holds only its i·j + 1 values (1 × 2500 stays small).
  const rows = Math.max(n1, n2);
  const cols = Math.min(n1, n2);
  let prev: Float64Array[] = Array.from({ length: cols + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= rows; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= cols; j++) {
      const c = new Float64Array(i * j + 1);
      const left = cur[j - 1]!;
      const up = prev[j]!;
      for (let u = 0; u < c.length; u++) c[u] = (u >= j ? up[u - j]! : 0) + (u < left.length ? left[u]! : 0);
      cur.push(c);
    }
    prev = cur;
  }
  return prev[cols]!;
}

export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): { u: number; p: number; exact: boolean } {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: 1, exact: true };
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  const all = sorted([...x, ...y]);
  let ties = false;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1] === all[i]) j++;
    const t = j - i + 1;
    if (t > 1) {
      ties = true;
      tieTerm += t * t * t - t;
    }
    i = j + 1;
  }
  if (!ties && n1 * n2 <= 2500) {
    const counts = uCounts(n1, n2);
    let total = 0;
    let tail = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k]!;
      if (k >= u) tail += counts[k]!;
    }
    return { u, p: tail / total, exact: true };
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = (n1 * n2 / 12) * ((n + 1) - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, p: 1, exact: false };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, p: normalUpper(z), exact: false };
}
