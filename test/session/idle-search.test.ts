import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isHarnessError } from '../../core/errors.ts';
import { planInitialTargets, searchIdleTimeout, type IdleSearchDeps, type IdleSearchOptions, type IdleSearchResult } from '../../core/idle-search.ts';
import { mulberry32 } from '../helpers/random.ts';

const MIN = 60_000;
const T30 = 30 * MIN;

/**
 * Discrete-event fake clock: every sleeper waits in a queue, and once nothing else can run
 * (setImmediate comes after all pending promise jobs) time jumps to the earliest wake-up.
 * Logins and the search sleep concurrently on it, so 30 virtual minutes take milliseconds
 * and every run is exactly reproducible.
 */
class FakeClock {
  t: number;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private scheduled = false;

  constructor(startMs: number) {
    this.t = startMs;
  }

  now = (): number => this.t;

  sleepUntil = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: ms, seq: this.seq++, resolve });
      this.schedule();
    });

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.scheduled = false;
    this.timers.sort((x, y) => x.at - y.at || x.seq - y.seq);
    const first = this.timers.shift();
    if (first === undefined) return;
    this.t = Math.max(this.t, first.at);
    first.resolve();
    if (this.timers.length > 0) this.schedule();
  }
}

interface Clock {
  now(): number;
  sleepUntil(ms: number): Promise<void>;
}

interface PortalOptions {
  /** The true idle timeout T*. */
  idleMs: number;
  loginMs?: number;
  /** Request duration; the portal decides halfway through. */
  probeMs?: number;
  /** Logins after this many successful ones reject (no TOTP codes left). */
  loginsAvailable?: number;
  /** An absolute timeout: a session this old (from its login's completion) is dead whatever its idle. */
  absoluteMs?: number;
}

interface PortalStats {
  loginCalls: number;
  loginsOk: number;
  maxConcurrentLogins: number;
  /** Login calls started after the search had already seen one reject. */
  loginCallsAfterReject: number;
  probesOfDeadSessions: number;
}

/**
 * A portal that is exactly an idle timer: a request at idle d succeeds iff d < T*, and a
 * successful request is activity (resets the idle clock). Once dead, always dead.
 */
function simulatedPortal(clock: Clock, o: PortalOptions): { deps: IdleSearchDeps; stats: PortalStats } {
  const loginMs = o.loginMs ?? 3000;
  const probeMs = o.probeMs ?? 4;
  const sessions = new Map<string, { last: number; born: number; dead: boolean }>();
  const stats: PortalStats = { loginCalls: 0, loginsOk: 0, maxConcurrentLogins: 0, loginCallsAfterReject: 0, probesOfDeadSessions: 0 };
  let concurrent = 0;
  let rejected = false;
  const deps: IdleSearchDeps = {
    now: () => clock.now(),
    sleepUntil: (ms) => clock.sleepUntil(ms),
    login: async () => {
      stats.loginCalls += 1;
      if (rejected) stats.loginCallsAfterReject += 1;
      concurrent += 1;
      stats.maxConcurrentLogins = Math.max(stats.maxConcurrentLogins, concurrent);
      try {
        await clock.sleepUntil(clock.now() + loginMs);
        if (o.loginsAvailable !== undefined && stats.loginsOk >= o.loginsAvailable) {
          rejected = true;
          throw new Error('no TOTP code left');
        }
        stats.loginsOk += 1;
        const id = `s${stats.loginsOk}`;
        const last = clock.now();
        sessions.set(id, { last, born: last, dead: false });
        return { id, lastActivityMs: last };
      } finally {
        concurrent -= 1;
      }
    },
    probe: async (s) => {
      await clock.sleepUntil(clock.now() + probeMs / 2);
      const rec = sessions.get(s.id);
      assert.ok(rec, `probe of unknown session ${s.id}`);
      const at = clock.now();
      if (rec.dead) stats.probesOfDeadSessions += 1;
      const alive = !rec.dead && at - rec.last < o.idleMs && (o.absoluteMs === undefined || at - rec.born < o.absoluteMs);
      if (alive) rec.last = at;
      else rec.dead = true;
      await clock.sleepUntil(at + probeMs / 2);
      return { alive, atMs: at };
    },
  };
  return { deps, stats };
}

async function measure(idleMs: number, opts: IdleSearchOptions, portal: Omit<PortalOptions, 'idleMs'> = {}): Promise<{ r: IdleSearchResult; stats: PortalStats }> {
  const clock = new FakeClock(1_700_000_000_000);
  const { deps, stats } = simulatedPortal(clock, { idleMs, ...portal });
  const r = await searchIdleTimeout(deps, opts);
  return { r, stats };
}

/** What must hold for every run, whatever T* is. */
function assertHonest(r: IdleSearchResult, stats: PortalStats, idleMs: number, opts: IdleSearchOptions): void {
  const T = opts.expectedMs;
  const resolution = opts.resolutionMs ?? 0.05 * T;
  const budget = opts.budgetMs ?? 1.25 * T;
  const ctx = `T*=${idleMs} → (${r.lo}, ${String(r.hi)}]`;
  assert.ok(r.lo < idleMs, `lo must be below T*: ${ctx}`);
  if (r.hi !== null) assert.ok(idleMs <= r.hi, `hi must be at or above T*: ${ctx}`);
  assert.equal(r.resolved, r.hi !== null && r.hi - r.lo <= resolution, `resolved flag must match the width: ${ctx}`);
  assert.equal(r.measuredMs, r.hi === null ? null : (r.lo + r.hi) / 2);
  assert.ok(stats.loginCalls <= (opts.maxSessions ?? 8), `at most maxSessions logins: ${stats.loginCalls}`);
  assert.ok(stats.maxConcurrentLogins <= (opts.loginConcurrency ?? 4), `login concurrency: ${stats.maxConcurrentLogins}`);
  assert.equal(stats.loginCallsAfterReject, 0, 'no login is tried after one was refused');
  assert.equal(r.sessionsUsed, stats.loginsOk);
  assert.equal(stats.probesOfDeadSessions, 0, 'never probes a session it already saw die');
  // A few ms of slack: the last probe may start right at the budget's end.
  assert.ok(r.wallMs <= budget + 10, `wall ${r.wallMs} within budget ${budget}`);
  // Every probe asked something not yet known: its idle lay strictly inside the bracket
  // of the moment (in particular, no session already idle past hi was probed).
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (const p of r.probes) {
    assert.ok(p.idleMs > lo && p.idleMs < hi, `wasted probe at idle ${p.idleMs} with bracket (${lo}, ${hi}]`);
    if (p.alive) lo = p.idleMs;
    else hi = p.idleMs;
  }
  assert.equal(r.lo, lo);
  assert.equal(r.hi, Number.isFinite(hi) ? hi : null);
}

describe('planInitialTargets', () => {
  test('defaults: two points straddling T, the coarse ladder, two dense points out, one login kept back', () => {
    const T = T30;
    const s = 0.05 * T * 0.9;
    const targets = planInitialTargets({ expectedMs: T, resolutionMs: 0.05 * T, upperMs: 1.2 * T, maxSessions: 8 });
    const expected = [T / 8, T / 4, T / 2, T - 2.5 * s, T - s / 2, T + s / 2, T + 2.5 * s];
    assert.equal(targets.length, 7);
    targets.forEach((x, i) => assert.ok(Math.abs(x - (expected[i] ?? NaN)) < 1e-6, `target ${i}: ${x}`));
    // The two around T are less than a resolution apart: T* = T resolves without help.
    assert.ok((targets[5] ?? 0) - (targets[4] ?? 0) < 0.05 * T);
  });

  test('few sessions: the likely answer and the much-shorter regression come first', () => {
    const T = T30;
    assert.deepEqual(
      planInitialTargets({ expectedMs: T, resolutionMs: 0.05 * T, upperMs: 1.2 * T, maxSessions: 3 }).map((x) => x / T),
      [0.25, 1 - 0.0225, 1 + 0.0225],
    );
  });

  test('never beyond upperMs', () => {
    const T = T30;
    const targets = planInitialTargets({ expectedMs: T, resolutionMs: 0.05 * T, upperMs: T, maxSessions: 10 });
    assert.ok(targets.length > 0 && targets.every((x) => x > 0 && x <= T));
  });

  test('rejects nonsense options', () => {
    assert.throws(() => planInitialTargets({ expectedMs: 0, resolutionMs: 1, upperMs: 1, maxSessions: 8 }), isHarnessError);
    assert.throws(() => planInitialTargets({ expectedMs: T30, resolutionMs: 1, upperMs: T30, maxSessions: 0 }), isHarnessError);
  });
});

describe('searchIdleTimeout on a simulated portal (fake clock)', () => {
  test('T* = T at 30 min: resolved to 5 %, inside 1.25 T', async () => {
    const opts = { expectedMs: T30 };
    const { r, stats } = await measure(T30, opts);
    assertHonest(r, stats, T30, opts);
    assert.ok(r.resolved);
    assert.ok(Math.abs((r.measuredMs ?? 0) - T30) <= 0.025 * T30);
    assert.ok(r.wallMs <= 1.25 * T30);
    assert.ok(stats.loginCalls <= 7, 'the reserve login is not needed');
  });

  test('T* = T at 20 s (logins take 15 % of T): still resolved', async () => {
    const opts = { expectedMs: 20_000 };
    const { r, stats } = await measure(20_000, opts, { loginMs: 3000 });
    assertHonest(r, stats, 20_000, opts);
    assert.ok(r.resolved, `(${r.lo}, ${String(r.hi)}]`);
    assert.ok(r.wallMs <= 25_000);
  });

  test('T* = T/6 (30 → 5 min): resolved, and fast', async () => {
    const opts = { expectedMs: T30 };
    const { r, stats } = await measure(5 * MIN, opts);
    assertHonest(r, stats, 5 * MIN, opts);
    assert.ok(r.resolved);
    assert.ok(r.wallMs <= 0.5 * T30, `took ${r.wallMs / MIN} min`);
  });

  for (const f of [0.97, 1.04]) {
    test(`T* = ${f} T: resolved`, async () => {
      const opts = { expectedMs: T30 };
      const { r, stats } = await measure(f * T30, opts);
      assertHonest(r, stats, f * T30, opts);
      assert.ok(r.resolved, `(${r.lo / T30}, ${String((r.hi ?? NaN) / T30)}] T`);
    });
  }

  test('T* beyond upperMs: no upper bound claimed, lo honest', async () => {
    const opts = { expectedMs: T30 };
    const { r, stats } = await measure(1.5 * T30, opts);
    assertHonest(r, stats, 1.5 * T30, opts);
    assert.equal(r.hi, null);
    assert.equal(r.measuredMs, null);
    assert.equal(r.resolved, false);
    assert.ok(r.lo >= 1.1 * T30, `still proves T* > ${r.lo / T30} T`);
  });

  test('T* = 0.8 T, between the coarse ladder and the dense points: whatever it gets, honestly', async (t) => {
    const opts = { expectedMs: T30 };
    const { r, stats } = await measure(0.8 * T30, opts);
    assertHonest(r, stats, 0.8 * T30, opts);
    t.diagnostic(`0.8 T → (${(r.lo / T30).toFixed(3)}, ${((r.hi ?? NaN) / T30).toFixed(3)}] T, resolved=${String(r.resolved)}`);
    // Today the T/8 backtracker and the T/4 one bisect (T/2, 0.8875 T] far enough.
    assert.ok(r.resolved);
  });

  for (const available of [0, 1, 3, 5]) {
    for (const f of [1 / 6, 1]) {
      test(`logins run out after ${available} sessions, T* = ${f.toFixed(2)} T: still a valid interval`, async () => {
        const opts = { expectedMs: T30 };
        const { r, stats } = await measure(f * T30, opts, { loginsAvailable: available });
        assertHonest(r, stats, f * T30, opts);
        assert.ok(r.sessionsUsed <= available);
        if (available === 0) {
          assert.deepEqual([r.lo, r.hi, r.probes.length], [0, null, 0]);
        }
      });
    }
  }

  test('maxSessions and loginConcurrency are respected', async () => {
    for (const f of [0.07, 0.3, 0.6, 1]) {
      const opts = { expectedMs: T30, maxSessions: 4, loginConcurrency: 2 };
      const { r, stats } = await measure(f * T30, opts);
      assertHonest(r, stats, f * T30, opts);
    }
  });

  test('progress: bounds only tighten; hi is Infinity until a session dies', async () => {
    const clock = new FakeClock(0);
    const { deps } = simulatedPortal(clock, { idleMs: 0.3 * T30 });
    const seen: { lo: number; hi: number; sessionsAlive: number; nextProbeInMs: number | null }[] = [];
    deps.onProgress = (e) => seen.push(e);
    const r = await searchIdleTimeout(deps, { expectedMs: T30 });
    assert.ok(seen.length >= r.probes.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      assert.ok(a !== undefined && b !== undefined && b.lo >= a.lo && b.hi <= a.hi);
    }
    assert.equal(seen[0]?.hi, Number.POSITIVE_INFINITY);
    const last = seen.at(-1);
    assert.deepEqual([last?.lo, last?.hi, last?.nextProbeInMs], [r.lo, r.hi, null]);
    assert.ok(seen.every((e) => e.sessionsAlive >= 0 && (e.nextProbeInMs === null || e.nextProbeInMs >= 0)));
  });

  test('answers no idle timer could give (a clock that jumps) are not turned into a result', async () => {
    // The first probe dies; every later one claims to have been answered 0.2 T later
    // than it was sent, i.e. alive at an idle longer than the one that died.
    const clock = new FakeClock(0);
    const { deps } = simulatedPortal(clock, { idleMs: T30 });
    let calls = 0;
    deps.probe = (s) => {
      calls += 1;
      const at = clock.now();
      return Promise.resolve(calls === 1 ? { alive: false, atMs: at } : { alive: true, atMs: at + 0.2 * T30 + (at - s.lastActivityMs) });
    };
    const r = await searchIdleTimeout(deps, { expectedMs: T30 });
    assert.equal(r.resolved, false);
    assert.equal(r.measuredMs, null);
    assert.equal(r.probes.length, 2, 'stops at the contradiction');
  });

  test('property: the interval always contains T*; resolved wherever the design promises (30 min, 400 random T*)', async (t) => {
    const rnd = mulberry32(20240611);
    const opts = { expectedMs: T30 };
    let resolved = 0;
    let promised = 0;
    const samples = [0.05, 0.125, 0.25, 0.5, 0.9, 1, 1.1, ...Array.from({ length: 400 }, () => 0.05 + 1.25 * rnd())];
    for (const f of samples) {
      const { r, stats } = await measure(f * T30, opts);
      assertHonest(r, stats, f * T30, opts);
      if (r.resolved) resolved += 1;
      // Promised: T* ≤ T/2 (coarse ladder + the reserve login + reused alive sessions) and
      // T* ∈ [0.9, 1.1] T (dense points 2 steps apart, a coarse session backtracks once).
      if (f <= 0.5 || (f >= 0.9 && f <= 1.1)) {
        promised += 1;
        assert.ok(r.resolved, `T* = ${f.toFixed(4)} T not resolved: (${(r.lo / T30).toFixed(4)}, ${((r.hi ?? NaN) / T30).toFixed(4)}]`);
      }
    }
    const frac = resolved / samples.length;
    t.diagnostic(`resolved within budget: ${resolved}/${samples.length} = ${(100 * frac).toFixed(1)} % of T* in [0.05, 1.3] T (promised bands: ${promised})`);
    // The promised bands are 52 % of the range; backtracking also covers most of (0.75, 0.9) T.
    assert.ok(frac >= 0.65, `resolved fraction ${frac}`);
  });

  test('property at 20 s with 3 s logins: always honest; T* within ±6 % of T resolved', async (t) => {
    const rnd = mulberry32(7);
    const T = 20_000;
    const opts = { expectedMs: T };
    let resolved = 0;
    const samples = Array.from({ length: 200 }, () => 0.05 + 1.25 * rnd());
    for (const f of samples) {
      const { r, stats } = await measure(f * T, opts, { loginMs: 3000 });
      assertHonest(r, stats, f * T, opts);
      if (r.resolved) resolved += 1;
      if (f >= 0.94 && f <= 1.06) assert.ok(r.resolved, `T* = ${f} T`);
    }
    t.diagnostic(`20 s scale: resolved ${resolved}/${samples.length} = ${((100 * resolved) / samples.length).toFixed(1)} %`);
  });
});

describe('searchIdleTimeout in real time', () => {
  test('T = 400 ms on setTimeout: contains T*, resolved, inside the budget', async () => {
    const idleMs = 400;
    const clock: Clock = {
      now: () => performance.now(),
      sleepUntil: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - performance.now()))),
    };
    // 10 % resolution: a loaded machine's timer jitter (a few ms) must not decide the test.
    const opts = { expectedMs: 400, resolutionMs: 40 };
    // Warm up (JIT, timers) on the fake clock first: a cold first login can take longer
    // than a grid step, and the search would rightly plan with that as the login cost.
    await measure(idleMs, opts, { loginMs: 10, probeMs: 1 });
    const { deps, stats } = simulatedPortal(clock, { idleMs, loginMs: 10, probeMs: 1 });
    const r = await searchIdleTimeout(deps, opts);
    assert.ok(r.lo < idleMs && r.hi !== null && idleMs <= r.hi, `(${r.lo}, ${String(r.hi)}]`);
    assert.ok(r.resolved, `(${r.lo}, ${String(r.hi)}]`);
    // Slack for the last probe and for timers firing late on a busy machine.
    assert.ok(r.wallMs <= 500 + 50, `wall ${r.wallMs}`);
    assert.ok(stats.loginCalls <= 8);
  });
});

describe('a portal with an absolute timeout as well', () => {
  // A test portal's timeouts: idle 10 s, absolute 20 s, slow logins (a loaded machine).
  // Backtracking sessions that answer "alive" twice reach an age where the absolute limit,
  // not idling, ends them: a dead answer then would put hi below the idle timeout.
  const T = 10_000;
  const opts = (maxSessionAgeMs?: number): IdleSearchOptions => ({ expectedMs: T, maxSessions: 6, budgetMs: 1.25 * T + 20_000, ...(maxSessionAgeMs === undefined ? {} : { maxSessionAgeMs }) });
  const portal = { absoluteMs: 20_000 };

  test('without the age limit some idle timeouts are mis-measured; with it every answer is honest', async () => {
    let wrongWithout = 0;
    for (const loginMs of [2000, 5000, 8000]) {
      for (const idleMs of [7000, 8000, 9000, 10_000, 11_000]) {
        const without = await measure(idleMs, opts(), { ...portal, loginMs });
        if (without.r.hi !== null && without.r.hi < idleMs) wrongWithout += 1;
        const { r, stats } = await measure(idleMs, opts(20_000), { ...portal, loginMs });
        assert.ok(r.lo < idleMs && (r.hi === null || idleMs <= r.hi), `T*=${idleMs}, login ${loginMs} ms → (${r.lo}, ${String(r.hi)}]`);
        assert.ok(stats.loginCalls <= 6);
        for (const p of r.probes) assert.ok(p.idleMs >= 0);
      }
    }
    assert.ok(wrongWithout > 0, 'the scenario is one where the absolute limit gets in the way');
  });

  test('maxSessionAgeMs must be positive', async () => {
    await assert.rejects(measure(T, opts(0)), isHarnessError);
  });
});
