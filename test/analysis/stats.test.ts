/**
 * The robust statistics and the one-sided Mann–Whitney U test, as pure code: hand-checked
 * vectors for median/MAD/quantile, the exact p against a brute-force count of every rank
 * arrangement, the normal approximation against reference values and against the exact p,
 * ties, the exact/approximate boundary, and the two directions of the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mad, mannWhitneyGreater, median, normalUpper, quantile, summarize } from '../../analysis/stats.ts';
import { mulberry32 } from '../helpers/random.ts';

const close = (got: number, want: number, tol: number, what: string): void => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);

/** Continuous (tie-free) log-normal timings around `medianMs`. */
function lognormal(r: () => number, n: number, medianMs = 1000, sigma = 0.12, shiftMs = 0): number[] {
  return Array.from({ length: n }, () => medianMs * Math.exp(sigma * Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())) + shiftMs);
}

/** The textbook normal approximation without ties: continuity-corrected upper tail of U. */
function normalP(u: number, n1: number, n2: number): number {
  return normalUpper((u - n1 * n2 / 2 - 0.5) / Math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12));
}

/** Every way to choose k of 0…n−1, in lexicographic order. */
function* subsets(n: number, k: number, from = 0): Generator<number[]> {
  if (k === 0) { yield []; return; }
  for (let i = from; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

test('median, MAD and quantiles on hand-checked vectors', () => {
  assert.equal(median([9, 1, 4, 2, 6, 2, 1]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  // Raw MAD, not scaled by 1.4826: deviations from 2 are 1 1 0 0 2 4 7.
  assert.equal(mad([9, 1, 4, 2, 6, 2, 1]), 1);
  assert.equal(mad([1, 2, 3, 4, 100]), 1, 'one wild value does not move it');
  assert.equal(mad([5, 5, 5]), 0);
  // R: quantile(c(1, 2, 3, 4), c(0, .25, .5, .9, 1)) = 1 1.75 2.5 3.7 4 (type 7).
  assert.deepEqual([0, 0.25, 0.5, 1].map((q) => quantile([4, 2, 3, 1], q)), [1, 1.75, 2.5, 4]);
  close(quantile([4, 2, 3, 1], 0.9), 3.7, 1e-12, 'p90 of 1..4');
  close(quantile(Array.from({ length: 10 }, (_, i) => i + 1), 0.9), 9.1, 1e-12, 'p90 of 1..10');
  assert.equal(quantile([5], 0.9), 5);
  const s = summarize([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.deepEqual({ ...s, p90: Math.round(s.p90 * 1e9) / 1e9 }, { count: 10, median: 5.5, mad: 2.5, p90: 9.1 });
});

test('no input is mutated (frozen arrays would throw), and empty input is NaN', () => {
  const xs = Object.freeze([9, 1, 4, 2, 6, 2, 1]);
  const ys = Object.freeze([3, 8, 5]);
  median(xs);
  mad(xs);
  quantile(xs, 0.9);
  summarize(xs);
  mannWhitneyGreater(xs, ys);
  mannWhitneyGreater([...xs, 2.5], ys); // the approximate path too (ties)
  assert.deepEqual(xs, [9, 1, 4, 2, 6, 2, 1]);
  assert.deepEqual(ys, [3, 8, 5]);
  assert.ok([median([]), mad([]), quantile([], 0.5)].every(Number.isNaN));
  const e = summarize([]);
  assert.equal(e.count, 0);
  assert.ok([e.median, e.mad, e.p90].every(Number.isNaN));
});

test('normal upper tail: within 1e-7 of reference values, symmetric about 0', () => {
  // 0.5 · erfc(z / √2), from a double-precision erfc.
  const ref: [number, number][] = [
    [0, 0.5], [1, 0.15865525393145707], [1.959963984540054, 0.025], [2.326347874040841, 0.01],
    [3, 0.0013498980316300957], [5, 2.866515718791946e-7], [8, 6.220960574271819e-16], [-1, 0.8413447460685429], [-3, 0.9986501019683699],
  ];
  for (const [z, p] of ref) close(normalUpper(z), p, 1e-7, `P(Z > ${z})`);
  for (const z of [0.1, 0.7, 1.3, 2.2, 4]) close(normalUpper(-z), 1 - normalUpper(z), 1e-7, `symmetry at ${z}`);
});

test('Mann–Whitney exact p: hand cases, and P(U ≥ u) over every rank arrangement for small samples', () => {
  const top = mannWhitneyGreater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
  assert.deepEqual([top.u, top.exact], [25, true]);
  close(top.p, 1 / 252, 1e-12, 'all five above: 1 arrangement of C(10,5) = 252');
  close(mannWhitneyGreater([5, 7, 8, 9, 10], [1, 2, 3, 4, 6]).p, 2 / 252, 1e-12, 'one swap from the extreme');
  assert.equal(mannWhitneyGreater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 1, 'all below: P(U ≥ 0) = 1');
  // n1 = n2 = 2: the six arrangements give U = 0 1 2 2 3 4.
  close(mannWhitneyGreater([3, 4], [1, 2]).p, 1 / 6, 1e-12, 'U = 4 of 2×2');
  close(mannWhitneyGreater([2, 4], [1, 3]).p, 2 / 6, 1e-12, 'U = 3 of 2×2');
  close(mannWhitneyGreater([1, 4], [2, 3]).p, 4 / 6, 1e-12, 'U = 2 of 2×2');
  // Interleaved samples are no evidence either way.
  const mixed = mannWhitneyGreater([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]);
  assert.equal(mixed.u, 10);
  assert.ok(mixed.p > 0.5 && mixed.p < 0.8, `interleaved: ${mixed.p}`);

  for (const [n1, n2] of [[1, 1], [1, 6], [6, 1], [3, 4], [4, 3], [4, 6], [5, 5]] as const) {
    const n = n1 + n2;
    const arrangements = [...subsets(n, n1)].map((xs) => {
      const x = xs.map((i) => i + 1);
      const y = Array.from({ length: n }, (_, i) => i + 1).filter((v) => !x.includes(v));
      return { x, y, u: x.reduce((sum, a) => sum + y.filter((b) => a > b).length, 0) };
    });
    for (const { x, y, u } of arrangements) {
      const want = arrangements.filter((a) => a.u >= u).length / arrangements.length;
      const got = mannWhitneyGreater(x, y);
      assert.equal(got.u, u);
      assert.equal(got.exact, true);
      close(got.p, want, 1e-12, `n1=${n1} n2=${n2} x=${x.join(',')}`);
    }
  }
});

test('Mann–Whitney: exact up to n1·n2 = 2500, the normal approximation beyond it and with ties, and the two agree', () => {
  const r = mulberry32(11);
  assert.equal(mannWhitneyGreater(lognormal(r, 50), lognormal(r, 50)).exact, true, '50 × 50 = 2500');
  assert.equal(mannWhitneyGreater(lognormal(r, 41), lognormal(r, 61)).exact, false, '41 × 61 = 2501');
  const lone = mannWhitneyGreater([1e6], lognormal(r, 2500));
  assert.equal(lone.exact, true);
  close(lone.p, 1 / 2501, 1e-12, 'one sample above 2500');
  // For samples this large the exact p and the normal approximation agree.
  for (const shift of [0, 20, 40, 60, 100]) {
    const x = lognormal(r, 40, 1000, 0.12, shift);
    const y = lognormal(r, 60);
    const exact = mannWhitneyGreater(x, y);
    assert.equal(exact.exact, true);
    close(exact.p, normalP(exact.u, 40, 60), 0.01, `shift ${shift}: exact vs normal`);
  }
  // Beyond the exact limit the test gives exactly the normal approximation.
  const x = lognormal(r, 60, 1000, 0.12, 30);
  const y = lognormal(r, 60);
  const big = mannWhitneyGreater(x, y);
  assert.equal(big.exact, false);
  close(big.p, normalP(big.u, 60, 60), 1e-12, '60 × 60');
});

test('Mann–Whitney with ties: ½ per tie, tie-corrected variance, and all-tied is no evidence', () => {
  // Pairs x > y: 2 > 1, 2 > 1, 3 > 1, 2, 2 → 5; ties 2 = 2 four times → ½ each → U = 7.
  // Variance (9/12)·(7 − (4³ − 4)/(6·5)) = 3.75; z = (7 − 4.5 − 0.5)/√3.75.
  const t = mannWhitneyGreater([2, 2, 3], [1, 2, 2]);
  assert.deepEqual([t.u, t.exact], [7, false]);
  close(t.p, 0.15084979123917402, 1e-7, 'tied p');
  const same = mannWhitneyGreater([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  assert.equal(same.u, 12.5);
  assert.ok(same.p > 0.5 && same.p < 0.6, `identical samples: ${same.p}`);
  assert.equal(mannWhitneyGreater([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]).p, 1, 'all tied: no variance, no evidence');
  // Whole-millisecond timings tie often; the test still finds a clear slowdown.
  const r = mulberry32(5);
  const slow = mannWhitneyGreater(lognormal(r, 5, 1400).map(Math.round), lognormal(r, 20).map(Math.round).concat([1000, 1000]));
  assert.ok(slow.p < 0.01, `rounded timings, +400 ms: ${slow.p}`);
});

test('Mann–Whitney: empty sides are p = 1; swapping the sides gives about 1 − p', () => {
  assert.equal(mannWhitneyGreater([], [1, 2]).p, 1);
  assert.equal(mannWhitneyGreater([1, 2], []).p, 1);
  const r = mulberry32(23);
  for (const [n1, n2, shift] of [[20, 20, 30], [5, 20, 80], [30, 100, 20]] as const) {
    const x = lognormal(r, n1, 1000, 0.12, shift);
    const y = lognormal(r, n2);
    const up = mannWhitneyGreater(x, y);
    const down = mannWhitneyGreater(y, x);
    assert.equal(up.u + down.u, n1 * n2);
    // Exactly 1 + P(U = u) for the exact test: a little over 1.
    const sum = up.p + down.p;
    assert.ok(sum >= 1 - 1e-9 && sum < 1.05, `${n1}×${n2}: ${up.p} + ${down.p}`);
  }
});
