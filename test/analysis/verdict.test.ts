/**
 * The statistics and verdict rules as pure code on synthetic samples: exact and
 * approximate rank tests, each verdict branch, the false-positive rate and the detection
 * power on seeded noise, the baseline and new-normal rules, and outcome/check findings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mad, mannWhitneyGreater, median, quantile, summarize } from '../../analysis/stats.ts';
import { baselineSamples, checkFindings, DEFAULT_REGRESSION, judgeSteps, outcomeFindings, stepVerdict, type ResultLike, type StepSample, type StepSamples } from '../../analysis/verdict.ts';
import { configWarnings } from '../../config/load.ts';
import { configSchema } from '../../config/schema.ts';
import { demoConfig } from '../../config/demo.config.ts';
import { judgeResult } from '../../analysis/judge.ts';
import { fromRun } from '../../store/index.ts';
import { syntheticRun } from '../helpers/history.ts';
import { mulberry32 } from '../helpers/random.ts';

const S = DEFAULT_REGRESSION;

/** Step timings as they look: a ~1 s median with log-normal jitter (σ 0.12) and an occasional slow outlier. */
function timings(r: () => number, n: number, shiftMs = 0, medianMs = 1000): number[] {
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    const outlier = r() < 0.05 ? 1.8 : 1;
    return medianMs * Math.exp(0.12 * z) * outlier + shiftMs;
  });
}

test('median, MAD and p90 on hand-checked vectors; input untouched; empty is NaN', () => {
  const xs = [9, 1, 4, 2, 6, 2, 1];
  assert.equal(median(xs), 2);
  assert.equal(mad(xs), 1);
  assert.equal(quantile([1, 2, 3, 4], 0.9), 3.7);
  assert.deepEqual(xs, [9, 1, 4, 2, 6, 2, 1]);
  assert.ok(Number.isNaN(median([])) && Number.isNaN(mad([])) && Number.isNaN(quantile([], 0.9)));
  assert.deepEqual(summarize([1, 2, 3, 4, 5]), { count: 5, median: 3, mad: 1, p90: 4.6 });
});

test('Mann–Whitney U: exact tails, agreement with the normal approximation, ties, direction', () => {
  const hi = mannWhitneyGreater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]);
  assert.deepEqual([hi.u, hi.exact], [25, true]);
  assert.ok(Math.abs(hi.p - 1 / 252) < 1e-12, 'all five above: 1 arrangement of C(10,5) = 252');
  assert.equal(mannWhitneyGreater([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 1);
  // One swap from the extreme: U = 24, two arrangements reach U ≥ 24.
  assert.ok(Math.abs(mannWhitneyGreater([5, 7, 8, 9, 10], [1, 2, 3, 4, 6]).p - 2 / 252) < 1e-12);
  const r = mulberry32(7);
  const x = timings(r, 30, 60);
  const y = timings(r, 30);
  const exact = mannWhitneyGreater(x, y);
  assert.equal(exact.exact, true);
  // Forcing the approximation: a tie far from the data changes U by at most ½.
  const approx = mannWhitneyGreater([...x, 1e9], [...y, 1e9]);
  assert.equal(approx.exact, false);
  assert.ok(Math.abs(exact.p - approx.p) < 0.03, `exact ${exact.p} vs normal ${approx.p}`);
  assert.ok(Math.abs(mannWhitneyGreater(x, y).p + mannWhitneyGreater(y, x).p - 1) < 0.05, 'the two directions are complementary');
  const same = mannWhitneyGreater([1, 1, 1, 1, 1], [1, 1, 1, 1, 1]);
  assert.ok(same.p >= 0.5, `all tied is no evidence: ${same.p}`);
  assert.equal(mannWhitneyGreater([], [1]).p, 1);
});

test('step verdicts: regressed only when both significant and large; inconclusive when either side is short or the spread too wide', () => {
  const base = [1000, 1010, 990, 1005, 995, 1002, 998, 1001, 999, 1003];
  const slow = [1420, 1410, 1430, 1405, 1415];
  const r = stepVerdict('TOTP', base, slow, S);
  assert.equal(r.verdict, 'regressed');
  assert.match(r.reason, /^slower by 4\d\d ms \(1\.00 s → 1\.42 s, p = /);
  assert.equal(stepVerdict('TOTP', base.slice(0, 4), slow, S).verdict, 'inconclusive');
  assert.match(stepVerdict('TOTP', base, slow.slice(0, 4), S).reason, /too few samples \(baseline 10, candidate 4; need 5 each\)/);
  // Significant but small: 40 ms on 1 s is under max(10 %, 150 ms).
  const small = stepVerdict('TOTP', base, [1040, 1041, 1042, 1043, 1044], S);
  assert.equal(small.verdict, 'ok');
  assert.ok((small.p ?? 1) < 0.01, 'it is statistically different');
  // Large median change, but the baseline is all over the place: within its own spread by
  // default; without the spread floor, practically slower but not significant.
  const all = [200, 3000, 400, 2500, 900, 2800, 300, 2600, 1000, 2900];
  const wide = stepVerdict('TOTP', all, [1500, 3100, 1600, 2700, 2000], { ...S, minSpread: 0 });
  assert.equal(wide.verdict, 'inconclusive');
  assert.match(wide.reason, /spread is too wide/);
  const within = stepVerdict('TOTP', all, [1500, 3100, 1600, 2700, 2000], S);
  assert.equal(within.verdict, 'ok');
  assert.match(within.reason, /^within normal: \+250 ms, under the \d\.\d\d s threshold \(2 × the baseline's spread\)$/);
  assert.equal(stepVerdict('TOTP', base, [600, 610, 620, 630, 640], S).verdict, 'ok', 'faster is not a regression');
  // The practical floor follows the settings.
  assert.equal(stepVerdict('TOTP', base, [1160, 1161, 1162, 1163, 1164], S).verdict, 'regressed');
  assert.equal(stepVerdict('TOTP', base, [1160, 1161, 1162, 1163, 1164], { ...S, minAbsoluteMs: 200 }).verdict, 'ok');
});

test('clean comparisons: at most 1 % called regressed over 1000; a 400 ms slowdown found in ≥ 95 % of 200 (≥ 80 % with the spread floor); 40 ms rarely', () => {
  const r = mulberry32(42);
  const bare = { ...S, minSpread: 0 };
  let falsePositives = 0;
  for (let i = 0; i < 1000; i++) if (stepVerdict('s', timings(r, 20), timings(r, 5), bare).verdict === 'regressed') falsePositives++;
  assert.ok(falsePositives <= 10, `${falsePositives} of 1000 clean comparisons regressed`);
  let found = 0;
  let foundWithFloor = 0;
  let small = 0;
  for (let i = 0; i < 200; i++) {
    const [b, c] = [timings(r, 20), timings(r, 5, 400)];
    if (stepVerdict('s', b, c, bare).verdict === 'regressed') found++;
    // A step whose runs vary by 12 %: +400 ms is about 3 of its standard deviations, over the 2 the floor asks.
    if (stepVerdict('s', b, c, S).verdict === 'regressed') foundWithFloor++;
    if (stepVerdict('s', timings(r, 20), timings(r, 5, 40), S).verdict === 'regressed') small++;
  }
  assert.ok(found >= 190, `+400 ms detected in ${found} of 200`);
  assert.ok(foundWithFloor >= 160 && foundWithFloor <= found, `+400 ms detected in ${foundWithFloor} of 200 with the spread floor (${found} without)`);
  // +40 ms is under the practical threshold: only when noise alone pushes five samples' median 150 ms up as well.
  assert.ok(small <= 10, `+40 ms called regressed in ${small} of 200`);
});

test('the spread floor: a widely varying step is called slower far less often for a stretch of slow runs within its spread; a shift past it is still found', () => {
  const r = mulberry32(7);
  const z = (): number => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  // A first page load after a browser starts: 1.5 s, varying by about 30 % from run to run.
  const runs = (n: number, at: number, sd: number): number[] => Array.from({ length: n }, () => 1500 * Math.exp(0.3 * (at + sd * z())));
  const bare = { ...S, minSpread: 0 };
  let stretchBare = 0;
  let stretch = 0;
  let past = 0;
  for (let i = 0; i < 100; i++) {
    const base = runs(20, 0, 1);
    // Five runs in a row in the slow part of the same spread (the machine was busy), about one standard deviation up.
    const slow = runs(5, 1, 0.2);
    if (stepVerdict('open', base, slow, bare).verdict === 'regressed') stretchBare++;
    if (stepVerdict('open', base, slow, S).verdict === 'regressed') stretch++;
    if (stepVerdict('open', base, runs(5, 0, 1).map((x) => x + 2500), S).verdict === 'regressed') past++;
  }
  // The floor's MAD comes from 20 samples and varies with them, so it thins such calls (here by
  // more than three times) rather than ending them.
  assert.ok(stretchBare >= 40, `without the floor the stretch is called regressed in ${stretchBare} of 100`);
  assert.ok(stretch * 2.5 <= stretchBare, `with it, in ${stretch} of 100 (${stretchBare} without)`);
  assert.ok(past >= 80, `+2.5 s (over 2 standard deviations) found in ${past} of 100`);
});

test('one result\'s steps share alpha (Holm): a clear slowdown is still found; p under alpha but not under alpha / m is inconclusive; the step-down', () => {
  const base = Array.from({ length: 20 }, (_, i) => 1000 + 10 * i);
  // Four candidates above every baseline sample, one above six of them: U = 86 of 100.
  const borderline = [1400, 1401, 1402, 1403, 1065];
  const p = mannWhitneyGreater(borderline, base).p;
  assert.ok(p > S.alpha / 4 && p < S.alpha, `the scenario needs alpha / 4 < p < alpha: p = ${p}`);
  const four: StepSamples[] = ['open', 'sign in', 'TOTP', 'dashboard'].map((step) => ({ step, baseline: base, candidate: borderline }));
  const holm = judgeSteps(four, { ...S, correction: 'holm' });
  assert.deepEqual(holm.map((x) => x.verdict), ['inconclusive', 'inconclusive', 'inconclusive', 'inconclusive']);
  assert.match(holm[0]?.reason ?? '', /not significant once alpha 0\.01 is shared by the 4 steps \(Holm\)/);
  assert.deepEqual(judgeSteps(four, { ...S, correction: 'none' }).map((x) => x.verdict), ['regressed', 'regressed', 'regressed', 'regressed'], 'each at alpha, all four');
  assert.deepEqual(judgeSteps(four, { ...S, correction: undefined }).map((x) => x.verdict), holm.map((x) => x.verdict), 'unset is the default, Holm');
  // One step alone is tested at alpha itself.
  assert.equal(judgeSteps(four.slice(0, 1), { ...S, correction: 'holm' })[0]?.verdict, 'regressed');
  // Step-down: the smallest p clears alpha / 2, so the second is tested at alpha / 1 and clears it too (Bonferroni would stop at alpha / 2).
  const clear = { step: 'TOTP', baseline: base, candidate: [1420, 1410, 1430, 1405, 1415] };
  const down = judgeSteps([{ step: 'sign in', baseline: base, candidate: borderline }, clear], { ...S, correction: 'holm' });
  assert.deepEqual(down.map((x) => [x.step, x.verdict]), [['sign in', 'regressed'], ['TOTP', 'regressed']]);
  assert.match(down[1]?.reason ?? '', /p = 0\.000019, under 0\.0050: alpha 0\.01 shared by 2 steps \(Holm\)/);
  // Too few runs for the shared level: 5 against 5 reach p = 1 / 252 at best, over 0.01 / 8; the reason says so and what would decide.
  const few = Array.from({ length: 8 }, (_, i) => ({ step: `s${i}`, baseline: [1000, 1010, 1020, 1030, 1040], candidate: i === 0 ? [1500, 1510, 1520, 1530, 1540] : [1000, 1010, 1020, 1030, 1040] }));
  const tooFew = judgeSteps(few, { ...S, window: 5 })[0];
  assert.equal(tooFew?.verdict, 'inconclusive');
  assert.match(tooFew?.reason ?? '', /5 against 5 samples can reach p = 0\.0040 at best, not under 0\.0013: more baseline runs would decide/);
  assert.equal(judgeSteps(few, { ...S, window: 5, correction: 'none' })[0]?.verdict, 'regressed', 'each at alpha, 5 against 5 can');
  // A step with too few samples is no test: it does not take a share.
  const short = judgeSteps([{ step: 'sign in', baseline: base, candidate: borderline }, { step: 'TOTP', baseline: base.slice(0, 3), candidate: borderline }], { ...S, correction: 'holm' });
  assert.deepEqual(short.map((x) => x.verdict), ['regressed', 'inconclusive']);
});

test('clean 8-step results: with Holm at most 1 % have any step called regressed over 1000, no more than without; the power it costs on one +400 ms step', () => {
  const r = mulberry32(99);
  const H = S;
  assert.equal(H.correction, 'holm', 'Holm is the default');
  const U = { ...S, correction: 'none' as const };
  const result = (shift: (i: number) => number): StepSamples[] => Array.from({ length: 8 }, (_, i) => ({ step: `s${i}`, baseline: timings(r, 20, 0, 300 + 100 * i), candidate: timings(r, 5, shift(i), 300 + 100 * i) }));
  let holm = 0;
  let none = 0;
  for (let i = 0; i < 1000; i++) {
    const family = result(() => 0);
    if (judgeSteps(family, H).some((x) => x.verdict === 'regressed')) holm++;
    if (judgeSteps(family, U).some((x) => x.verdict === 'regressed')) none++;
  }
  assert.ok(holm <= 10, `${holm} of 1000 clean results had a step called regressed`);
  assert.ok(holm <= none, `Holm ${holm} against uncorrected ${none}`);
  let foundHolm = 0;
  let foundNone = 0;
  for (let i = 0; i < 200; i++) {
    const family = result((j) => (j === 4 ? 400 : 0));
    if (judgeSteps(family, H)[4]?.verdict === 'regressed') foundHolm++;
    if (judgeSteps(family, U)[4]?.verdict === 'regressed') foundNone++;
  }
  // One slow outlier in the baseline is enough to keep p above 0.01 / 8: the price of the family's 1 %.
  assert.ok(foundNone >= 190, `uncorrected: +400 ms on one step of 8 found in ${foundNone} of 200`);
  assert.ok(foundHolm >= 140 && foundHolm <= foundNone, `Holm: found in ${foundHolm} of 200`);
});

test('a window too small for Holm to ever reach significance is a warning naming the journey', () => {
  const cfg = (history: Record<string, unknown>) => configSchema.parse({ ...demoConfig, history });
  const tiny = configWarnings(cfg({ window: 5, recent: 5, correction: 'holm' })).filter((w) => w.startsWith('history:'));
  assert.ok(tiny.length > 0, 'N = k = 5 cannot reach 0.01 / m for a multi-step journey');
  assert.match(tiny[0] ?? '', /^history: with window 5 and recent 5 the smallest p a step can reach is 0\.0040, not under alpha 0\.01 shared by the \d+ steps of journey ".+" of portal ".+" \(Holm\)/);
  assert.deepEqual(configWarnings(cfg({ correction: 'holm' })).filter((w) => w.startsWith('history:')), [], 'the default window (N = 20) can');
  assert.ok(configWarnings(cfg({ window: 5, recent: 5 })).some((w) => w.startsWith('history:')), 'Holm is the default: the same warning');
  assert.deepEqual(configWarnings(cfg({ window: 5, recent: 5, correction: 'none' })).filter((w) => w.startsWith('history:')), [], 'uncorrected, nothing to say');
});

test('baseline samples: regressions stay out unless accepted; a change held for the whole window is the new normal', () => {
  const s = (durationMs: number, regressed = false, accepted = false): StepSample => ({ durationMs, regressed, accepted });
  const small = { ...S, window: 5 };
  assert.deepEqual(baselineSamples([s(1400, true), s(1000), s(1010), s(990), s(1005), s(995), s(1001)], small), [1000, 1010, 990, 1005, 995]);
  assert.deepEqual(baselineSamples([s(1400, true, true), s(1000), s(1010), s(990), s(1005)], small), [1400, 1000, 1010, 990, 1005]);
  const held = [s(1400, true), s(1410, true), s(1420, true), s(1405, true), s(1415, true), s(1000), s(1001)];
  assert.deepEqual(baselineSamples(held, small), [1400, 1410, 1420, 1405, 1415]);
  const notYet = [s(1400, true), s(1410, true), s(1000), s(1420, true), s(1405, true), s(1415, true), s(1001)];
  assert.deepEqual(baselineSamples(notYet, small), [1000, 1001]);
});

test('outcome findings: passed → failed, a new failure, steps added or removed; a skipped interstitial and not-run cells are none', () => {
  const steps = (...names: [string, 'passed' | 'failed' | 'skipped' | 'not-reached'][]) => names.map(([name, status]) => ({ name, status, durationMs: status === 'passed' ? 100 : null }));
  const ok: ResultLike = { outcome: 'passed', steps: steps(['open', 'passed'], ['acknowledge', 'passed'], ['dashboard', 'passed']), measurements: [] };
  const failed: ResultLike = { outcome: 'failed', failedStep: 'dashboard', category: 'browser-device', errorMessage: 'found "Updated terms of use"', steps: steps(['open', 'passed'], ['acknowledge', 'passed'], ['dashboard', 'failed']), measurements: [] };
  const [f] = outcomeFindings(ok, failed);
  assert.equal(f?.verdict, 'regressed');
  assert.match(f?.message ?? '', /passed before; now fails at "dashboard": browser-device — found "Updated terms of use"/);
  assert.deepEqual(outcomeFindings(failed, failed), [], 'the same failure again is not new');
  assert.match(outcomeFindings(failed, { ...failed, failedStep: 'open', category: 'network' })[0]?.message ?? '', /new failure/);
  assert.deepEqual(outcomeFindings(ok, { ...ok, steps: steps(['open', 'passed'], ['acknowledge', 'skipped'], ['dashboard', 'passed']) }), [], 'skipped is not removed');
  assert.deepEqual(outcomeFindings(failed, { ...ok, outcome: 'not-run' }), []);
  assert.deepEqual(outcomeFindings(ok, { ...ok, outcome: 'error' }), []);
  assert.deepEqual(outcomeFindings(undefined, failed), []);
  const changed = outcomeFindings(ok, { ...ok, steps: steps(['open', 'passed'], ['dashboard', 'passed'], ['survey', 'passed']) });
  assert.deepEqual(changed.map((x) => [x.verdict, x.message]), [['changed', 'step added: survey'], ['changed', 'step removed: acknowledge']]);
});

test('check findings: an idle timeout outside its old interval, a certificate under the warning line, a policy that broke', () => {
  const idle = (value: number, lo: number, hi: number) => ({ name: 'idle timeout', value, unit: 's', expected: 1800, lo, hi });
  const [cut] = checkFindings([idle(1800, 1746, 1854)], [idle(300, 291, 309)]);
  assert.equal(cut?.verdict, 'regressed');
  assert.equal(cut?.message, 'idle timeout changed: 30.0 min (29.1 min–30.9 min) → 5.0 min (4.8 min–5.2 min)');
  assert.equal(checkFindings([idle(1800, 1746, 1854)], [idle(1810, 1760, 1860)])[0]?.verdict, 'changed', 'overlapping intervals are within the resolution');
  const cert = (value: number) => ({ name: 'certificate days left', value, unit: 'days', atLeast: 30 });
  assert.equal(checkFindings([cert(41)], [cert(12)])[0]?.message, 'certificate days left fell under the warning line: 41 days → 12 days (warning at 30 days)');
  assert.equal(checkFindings([cert(12)], [cert(11)])[0]?.verdict, 'changed', 'already under the line is no new regression');
  const bool = (value: number) => ({ name: 'session alive after logout', value, unit: 'bool', expected: 0 });
  assert.equal(checkFindings([bool(0)], [bool(1)])[0]?.verdict, 'regressed');
  assert.deepEqual(checkFindings([bool(0)], [bool(0)]), []);
  assert.deepEqual(checkFindings([], [bool(1)]), []);
});

test('judging a result against stored history: the last k runs against the N before them; regressed samples stay out', () => {
  const T0 = Date.parse('2026-11-01T00:00:00Z');
  const r = mulberry32(3);
  const history = (shifts: number[]) => shifts.map((shift, i) => fromRun({ ...syntheticRun(T0 + i * 60_000, [{ steps: [['open', timings(r, 1)[0]!], ['TOTP', timings(r, 1, shift)[0]!]] }]), host: 'h', location: 'h' }).results[0]!).reverse();
  const now = (shift: number) => syntheticRun(T0 + 99 * 60_000, [{ steps: [['open', timings(r, 1)[0]!], ['TOTP', timings(r, 1, shift)[0]!]] }]).results[0]!;
  const clean = judgeResult(now(0), history(Array(24).fill(0)), S);
  assert.equal(clean.verdict.verdict, 'ok', clean.verdict.reason);
  assert.equal(clean.baseline.steps.TOTP?.count, 20);
  const slow = judgeResult(now(400), history([...Array(20).fill(0), 400, 400, 400, 400]), S);
  assert.equal(slow.verdict.verdict, 'regressed');
  assert.deepEqual(slow.verdict.steps.filter((x) => x.verdict === 'regressed').map((x) => x.step), ['TOTP'], 'only the delayed step');
  const first = judgeResult(now(0), [], S);
  assert.equal(first.verdict.verdict, 'inconclusive');
  assert.match(first.verdict.reason, /no earlier result/);
});
