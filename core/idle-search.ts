/**
 * Measures a portal's session idle timeout T* from outside: how long a session may sit
 * without activity before the portal ends it.
 *
 * The only instrument is a probe — an authenticated request. A probe of a session that
 * has been idle for d ms answers "is T* > d?": alive ⇔ d < T*. Probing is activity, so
 * an alive answer resets that session's idle clock (the session can be asked again later)
 * and a dead answer uses the session up for good. Sessions are scarce (each login needs a
 * TOTP code) and the wall-clock budget is barely more than T itself, so each session gets
 * about one long question; the search is about choosing those questions well.
 *
 * How (details at each function):
 *  1. Open phase (no dead answer yet). The first sessions are logged in at once and wait
 *     for fixed idle targets (planInitialTargets): two points straddling the expected T
 *     (the likely answer), a coarse ladder T/8, T/4, T/2 (the important regression: a
 *     much shorter timeout), and two more dense points T ± 2.5 steps. One login is kept
 *     in reserve. The earliest logins take the longest targets: those need most budget.
 *  2. A coarse session that answers alive restarts its clock early (at T/8, T/4, …) and
 *     can therefore still reach idles near T before the budget ends: it becomes a
 *     backtracker, aimed at the gaps between the dense points. That is why the outer
 *     dense points can sit two grid steps apart: T* falls in at most one gap, and one
 *     backtracking probe closes it. (Where measured login times leave no backtracker
 *     able to reach, the dense points are packed one step apart instead.)
 *  3. Closed phase (a dead answer gave hi). The bracket (lo, hi] is cut into cells no
 *     wider than the grid step, and the next probe (which session or a new login, at
 *     which cell edge) is chosen by rollout: each candidate is played forward against
 *     every cell T* might lie in, continuing with simple base policies (bisect, bottom-up,
 *     soonest), and the one that resolves the most cells (then: narrowest result, fewest
 *     logins, earliest finish) wins. Re-planned after every answer and login.
 *  4. A session that is certainly dead (idle already ≥ hi) is never probed; a session
 *     that can no longer reach any useful idle within the budget is let go.
 *  5. It stops when hi − lo ≤ resolution, or when no probe can still answer within the
 *     budget; the interval is whatever the answers prove, never more.
 *
 * Pure apart from the injected clock, login and probe, so it runs on a fake clock in tests.
 */
import { HarnessError } from './errors.ts';

export interface IdleSearchSession {
  id: string;
  /** clock time of the session's last activity (login completion or last alive probe), ms */
  lastActivityMs: number;
}

export interface IdleSearchDeps {
  now(): number;
  sleepUntil(ms: number): Promise<void>;
  /** Create a new session; resolves with its last-activity time. Rejects if no more can be made. */
  login(): Promise<IdleSearchSession>;
  /** Probe: true = alive (the portal has reset its idle clock at the returned time), false = dead. */
  probe(s: IdleSearchSession): Promise<{ alive: boolean; atMs: number }>;
  /** After every answer and login; hi is Infinity until a probe has died. */
  onProgress?(e: { lo: number; hi: number; sessionsAlive: number; nextProbeInMs: number | null }): void;
}

export interface IdleSearchOptions {
  expectedMs: number;
  resolutionMs?: number /* default 5% of expectedMs */;
  budgetMs?: number /* default 1.25 × expectedMs, includes logins */;
  maxSessions?: number /* default 8 */;
  upperMs?: number /* largest idle worth testing, default 1.2 × expectedMs */;
  loginConcurrency?: number /* default 4 */;
  /**
   * How long a session may live at all, from the start of its login: past it the portal
   * may end the session whatever its idle (an absolute timeout), so a dead answer would
   * say nothing about idling. No probe is planned past a session's age limit. Default:
   * unlimited.
   */
  maxSessionAgeMs?: number;
}

export interface IdleSearchResult {
  lo: number;
  hi: number | null /* null: never saw a dead probe, T* > lo */;
  measuredMs: number | null;
  resolved: boolean;
  probes: { sessionId: string; idleMs: number; alive: boolean; atMs: number }[];
  sessionsUsed: number;
  wallMs: number;
}

/**
 * Targets sit on a grid 10 % finer than the requested resolution: the measured idle of a
 * probe is its planned idle plus request latency and timer overshoot, and that slack must
 * not turn two neighbouring grid points into a bracket wider than the resolution.
 */
const GRID_MARGIN = 0.9;
/** Upper bound on how late a finished login is noticed (see the main loop). */
const MAX_POLL_MS = 250;
/** Most grid cells a closed bracket is planned on (see planClosed). */
const MAX_ROLLOUT_CELLS = 32;
/** Float noise allowance when comparing planned times against the budget. */
const EPS = 1e-6;

function gridStep(resolutionMs: number): number {
  return resolutionMs * GRID_MARGIN;
}

/**
 * Logins held back at the start. If T* turns out far shorter than expected, the first dead
 * coarse answer also dooms every session logged in with it (their idle is already past
 * it); a login made afterwards is the only fresh clock left to refine the bracket with,
 * and one is enough because alive answers let a session be asked again (see rollout).
 * With 3 sessions or fewer the likely answer and T/4 need them all.
 */
function reserveCount(maxSessions: number): number {
  return maxSessions >= 4 ? 1 : 0;
}

/**
 * Every idle worth aiming at while no dead answer has been seen, most valuable first.
 * s is the grid step; backtrackMs the longest idle a backtracker (below) can still reach.
 * The first entries become the initial targets; the rest are points that sessions freed
 * by an early alive answer may take.
 *  - T ± s/2: T* ≈ T is the likely answer; straddling T resolves it with two sessions.
 *  - T/4, T/8, T/2: the important regression is a much shorter timeout. These answer
 *    early, and when alive their sessions restart early enough to still reach idles near
 *    T: they are the backtrackers.
 *  - Then the dense grid T + (m + ½)s outwards. Where a backtracker can reach, every other
 *    grid point is skipped: only the one gap T* falls into ever needs asking, and one
 *    backtracker can ask it, so the same sessions cover twice the span. Where none can
 *    (slow logins against a short T), the points are contiguous.
 */
function priorityPoints(T: number, s: number, U: number, backtrackMs: number): { all: number[]; cohort: number[] } {
  const D = (m: number): number => T + (m + 0.5) * s;
  const raw = [D(-1), D(0), T / 4, T / 8, T / 2];
  const gapSet = new Set<number>();
  let low = -1;
  let high = 0;
  const gaps: number[] = [];
  const nextLow = (): number => {
    if (D(low - 1) <= backtrackMs) {
      gaps.push(D(low - 1));
      low -= 2;
    } else {
      low -= 1;
    }
    return D(low);
  };
  const nextHigh = (): number => {
    if (D(high + 1) <= backtrackMs) {
      gaps.push(D(high + 1));
      high += 2;
    } else {
      high += 1;
    }
    return D(high);
  };
  const pushGaps = (sorted: number[]): void => {
    for (const g of sorted) gapSet.add(g);
    raw.push(...sorted);
  };
  raw.push(nextLow(), nextHigh());
  // Gaps of the first ring, above before below: only the longest-lived backtracker reaches above T.
  pushGaps(gaps.splice(0).sort((x, y) => y - x));
  raw.push(0.75 * T);
  // The rest of the grid down to 0.75 T and up to U, nearest first, gaps after their ring.
  for (let ring = 0; ring < 200 && (D(low) > 0.75 * T || D(high) < U); ring++) {
    raw.push(nextLow(), nextHigh());
    pushGaps(gaps.splice(0));
  }
  raw.push(T / 16, 0.375 * T, 0.625 * T);
  const all: number[] = [];
  const cohort: number[] = [];
  for (const p of raw) {
    if (!(p > 0 && p <= U)) continue;
    if (all.some((q) => Math.abs(q - p) < s / 2)) continue;
    all.push(p);
    // Gaps are left to backtrackers; a session logged in with the others would only
    // duplicate what a backtracker does anyway.
    if (!gapSet.has(p)) cohort.push(p);
  }
  return { all, cohort };
}

function assertPositive(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) {
    throw new HarnessError('CONFIG_INVALID', `idle search: ${name} must be a positive number of milliseconds (got ${String(v)}).`);
  }
}

function assertCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new HarnessError('CONFIG_INVALID', `idle search: ${name} must be a whole number ≥ 1 (got ${String(v)}).`);
  }
}

/** The idle durations (ms) the first sessions will be probed at, ascending. */
export function planInitialTargets(o: Required<Pick<IdleSearchOptions, 'expectedMs' | 'resolutionMs' | 'upperMs' | 'maxSessions'>>): number[] {
  assertPositive('expectedMs', o.expectedMs);
  assertPositive('resolutionMs', o.resolutionMs);
  assertPositive('upperMs', o.upperMs);
  assertCount('maxSessions', o.maxSessions);
  const count = o.maxSessions - reserveCount(o.maxSessions);
  // Planned for the default budget (1.25 T) and instant logins: the T/8 session, restarted
  // at T/8, can backtrack up to 1.125 T. The search redoes this with measured login times.
  return priorityPoints(o.expectedMs, gridStep(o.resolutionMs), o.upperMs, 1.125 * o.expectedMs)
    .cohort.slice(0, count)
    .sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------
// Closed-phase planning: a small deterministic model of the search, played forward.

interface MPtr {
  /** Last activity (possibly a predicted login completion). */
  a: number;
  /** Index into the caller's pointer list; −1 for a login the model made up. */
  ref: number;
  /** The latest a probe of this session may end: the budget's end or its age limit. */
  e: number;
}

interface MState {
  t: number;
  /** Bracket as grid indices: T* ∈ (g(lo), g(hi)]. */
  lo: number;
  hi: number;
  ptrs: MPtr[];
  /** Logins still allowed. */
  virt: number;
  logins: number;
}

interface MAction {
  /** Pointer index, or −1 for "log a new session in now". */
  p: number;
  k: number;
  /** When the probe goes out. */
  f: number;
}

interface Model {
  /** Grid point k is base + k·w (ms). */
  base: number;
  w: number;
  g: (k: number) => number;
  end: number;
  /** Probe duration. */
  delta: number;
  /** Login duration. */
  lambda: number;
  /** A session's age limit (maxSessionAgeMs). */
  maxAge: number;
}

/** Fire time of probing pointer p at grid point k, or null if that is not possible. */
function fireTime(m: Model, s: MState, p: number, k: number): number | null {
  if (k <= s.lo || k >= s.hi) return null;
  let a: number;
  let e: number;
  if (p < 0) {
    if (s.virt <= 0) return null;
    a = s.t + m.lambda;
    e = Math.min(m.end, s.t + m.maxAge);
  } else {
    const ptr = s.ptrs[p];
    if (ptr === undefined) return null;
    a = ptr.a;
    e = ptr.e;
  }
  const f = a + m.g(k);
  // A session's idle only grows: it cannot be asked about an idle it has already passed.
  if (f < s.t - EPS) return null;
  if (f + m.delta > e + EPS) return null;
  return Math.max(f, s.t);
}

/** The model's answer when T* lies in cell c, i.e. in (g(c−1), g(c)]. */
function applyAction(m: Model, s: MState, act: MAction, c: number): MState {
  const ptrs = s.ptrs.slice();
  let virt = s.virt;
  let logins = s.logins;
  let idx = act.p;
  if (idx < 0) {
    ptrs.push({ a: s.t + m.lambda, ref: -1, e: Math.min(m.end, s.t + m.maxAge) });
    idx = ptrs.length - 1;
    virt -= 1;
    logins += 1;
  }
  const alive = act.k < c;
  const t = act.f + m.delta;
  const ptr = ptrs[idx];
  if (alive) {
    if (ptr !== undefined) ptrs[idx] = { a: act.f, ref: ptr.ref, e: ptr.e };
    return { t, lo: act.k, hi: s.hi, ptrs, virt, logins };
  }
  ptrs.splice(idx, 1);
  const hiMs = m.g(act.k);
  // Sessions already idle past the new hi are certainly dead.
  return { t, lo: s.lo, hi: act.k, ptrs: ptrs.filter((q) => t - q.a < hiMs), virt, logins };
}

type Policy = (m: Model, s: MState) => MAction | null;

/**
 * Best action under a preference over (k, fire time). Each pointer can ask about a
 * contiguous range of grid points (from its current idle up to what the budget allows),
 * and each policy only cares about one or two points of that range (`want`), so a step
 * costs O(pointers) rather than O(pointers × cells).
 */
function pick(m: Model, s: MState, want: (kMin: number, kMax: number) => number[], better: (k: number, f: number, bestK: number, bestF: number) => boolean): MAction | null {
  let best: MAction | null = null;
  for (let p = -1; p < s.ptrs.length; p++) {
    if (p < 0 && s.virt <= 0) continue;
    const a = p < 0 ? s.t + m.lambda : (s.ptrs[p]?.a ?? Number.POSITIVE_INFINITY);
    const e = p < 0 ? Math.min(m.end, s.t + m.maxAge) : (s.ptrs[p]?.e ?? m.end);
    const kMin = Math.max(s.lo + 1, Math.ceil((s.t - a - m.base) / m.w - 1e-9));
    const kMax = Math.min(s.hi - 1, Math.floor((e - m.delta - a - m.base) / m.w + 1e-9));
    if (kMin > kMax) continue;
    for (const k of want(kMin, kMax)) {
      const f = fireTime(m, s, p, k);
      if (f === null) continue;
      // A new login only when it answers strictly better: logins cost TOTP codes.
      if (best === null || better(k, f, best.k, best.f) || (p >= 0 && best.p < 0 && k === best.k && f <= best.f)) {
        best = { p, k, f };
      }
    }
  }
  return best;
}

const clampK = (k: number, kMin: number, kMax: number): number => Math.min(kMax, Math.max(kMin, k));

/** Bisect the bracket, answering as soon as possible among equally central points. */
const policyMid: Policy = (m, s) => {
  const mid = (s.lo + s.hi) / 2;
  return pick(
    m,
    s,
    (kMin, kMax) => [clampK(Math.floor(mid), kMin, kMax), clampK(Math.ceil(mid), kMin, kMax)],
    (k, f, bk, bf) => Math.abs(k - mid) < Math.abs(bk - mid) || (Math.abs(k - mid) === Math.abs(bk - mid) && f < bf),
  );
};

/** Step up from the bottom: a dead answer then resolves at once and an alive one frees the session for the next step. */
const policyLow: Policy = (m, s) => pick(m, s, (kMin) => [kMin], (k, f, bk, bf) => k < bk || (k === bk && f < bf));

/** Ask whatever can be answered first (each pointer's lowest reachable point), as central as possible. */
const policySoon: Policy = (m, s) => {
  const mid = (s.lo + s.hi) / 2;
  return pick(m, s, (kMin) => [kMin], (k, f, bk, bf) => f < bf - EPS || (Math.abs(f - bf) <= EPS && Math.abs(k - mid) < Math.abs(bk - mid)));
};

const POLICIES: readonly Policy[] = [policyMid, policyLow, policySoon];

interface Score {
  resolved: number;
  width: number;
  logins: number;
  finish: number;
}

function betterScore(x: Score, y: Score): boolean {
  if (x.resolved !== y.resolved) return x.resolved > y.resolved;
  if (Math.abs(x.width - y.width) > EPS) return x.width < y.width;
  if (x.logins !== y.logins) return x.logins < y.logins;
  return x.finish < y.finish - EPS;
}

function rolloutScore(m: Model, s0: MState, first: MAction, policy: Policy, cells: number[]): Score {
  const score: Score = { resolved: 0, width: 0, logins: 0, finish: 0 };
  for (const c of cells) {
    let s = applyAction(m, s0, first, c);
    // Every step either narrows the bracket or removes a pointer, so this ends; the cap is a seatbelt.
    for (let step = 0; step < 4 * (s0.hi - s0.lo) + 16 && s.hi - s.lo > 1; step++) {
      const act = policy(m, s);
      if (act === null) break;
      s = applyAction(m, s, act, c);
    }
    if (s.hi - s.lo <= 1) score.resolved += 1;
    score.width += m.g(s.hi) - m.g(s.lo);
    score.logins += s.logins;
    score.finish += s.t;
  }
  return score;
}

/**
 * The next probe for a closed bracket, by one-step rollout over the base policies. Each
 * base policy's own first move is among the candidates, so the chosen move scores at
 * least as well (over the cells T* may lie in) as the best base policy played alone;
 * taking the best of three lets it pick the bottom-up walk, which costs one session in
 * all, when sessions are scarce, and bisection when time is.
 */
function bestClosedAction(m: Model, s0: MState): MAction | null {
  // T* may lie in any cell; every grid point is a candidate.
  const cells: number[] = [];
  for (let c = s0.lo + 1; c <= s0.hi; c++) cells.push(c);
  const ks = cells.slice(0, -1);
  // Sessions that last acted at the same moment are interchangeable: try one of each.
  const seen = new Set<number>();
  const ptrChoices: number[] = [];
  s0.ptrs.forEach((q, i) => {
    const key = Math.round(q.a);
    if (!seen.has(key)) {
      seen.add(key);
      ptrChoices.push(i);
    }
  });
  ptrChoices.push(-1);
  let best: { act: MAction; score: Score } | null = null;
  for (const p of ptrChoices) {
    for (const k of ks) {
      const f = fireTime(m, s0, p, k);
      if (f === null) continue;
      const act: MAction = { p, k, f };
      for (const policy of POLICIES) {
        const score = rolloutScore(m, s0, act, policy, cells);
        if (best === null || betterScore(score, best.score)) best = { act, score };
      }
    }
  }
  return best?.act ?? null;
}

// ---------------------------------------------------------------------------------------
// The search itself.

interface Live {
  session: IdleSearchSession;
  /** Last activity as the portal reported it (the caller's object is updated too, but planning reads only this). */
  a: number;
  /** Planned idle at which to probe, or null: wait. */
  target: number | null;
  /** An initial target, kept while it stays useful; other targets are re-planned each time. */
  sticky: boolean;
  /** Just logged in during the open phase: takes an initial target first. */
  fresh: boolean;
  /** The latest its probe may end: the budget's end, or earlier, its age limit. */
  until: number;
}

interface LoginCall {
  startedAt: number;
  done: boolean;
  session: IdleSearchSession | null;
  finishedAt: number;
  settled: Promise<void>;
}

interface Resolved {
  T: number;
  r: number;
  s: number;
  U: number;
  budget: number;
  maxSessions: number;
  concurrency: number;
  maxAge: number;
}

function resolveOptions(o: IdleSearchOptions): Resolved {
  assertPositive('expectedMs', o.expectedMs);
  const T = o.expectedMs;
  const r = o.resolutionMs ?? 0.05 * T;
  const budget = o.budgetMs ?? 1.25 * T;
  const U = o.upperMs ?? 1.2 * T;
  const maxSessions = o.maxSessions ?? 8;
  const concurrency = o.loginConcurrency ?? 4;
  assertPositive('resolutionMs', r);
  assertPositive('budgetMs', budget);
  assertPositive('upperMs', U);
  assertCount('maxSessions', maxSessions);
  assertCount('loginConcurrency', concurrency);
  if (o.maxSessionAgeMs !== undefined) assertPositive('maxSessionAgeMs', o.maxSessionAgeMs);
  const maxAge = o.maxSessionAgeMs ?? Number.POSITIVE_INFINITY;
  return { T, r, s: gridStep(r), U, budget, maxSessions, concurrency, maxAge };
}

/**
 * Measures T*; see the top of this file. The interval (lo, hi] only ever comes from
 * answers (alive at idle lo, dead at idle hi, idle = atMs − last activity), so it
 * contains T* whenever the portal really is a plain idle timer. After an alive probe the
 * session's lastActivityMs is set to the answer's atMs. If two answers contradict each
 * other the search stops with resolved: false and drops the bound it can no longer trust.
 * A probe or sleepUntil that throws ends the search with that error (after any login in
 * flight has settled); a login that rejects just means no more sessions.
 */
export async function searchIdleTimeout(deps: IdleSearchDeps, o: IdleSearchOptions): Promise<IdleSearchResult> {
  const cfg = resolveOptions(o);
  const start = deps.now();
  const end = start + cfg.budget;
  // Replaced once a login has been timed (see below).
  let priority = priorityPoints(cfg.T, cfg.s, cfg.U, cfg.budget - cfg.T / 8);
  const initial = planInitialTargets({ expectedMs: cfg.T, resolutionMs: cfg.r, upperMs: cfg.U, maxSessions: cfg.maxSessions });
  // While logins are in flight the loop wakes this often to pick up the new session;
  // polling (rather than racing the sleep) never leaves a sleepUntil timer behind.
  const pollMs = Math.max(1, Math.min(MAX_POLL_MS, cfg.s / 8));

  let lo = 0;
  let hi: number | null = null;
  let inconsistent = false;
  const probes: IdleSearchResult['probes'] = [];
  let live: Live[] = [];
  const inflight = new Set<LoginCall>();
  let loginCalls = 0;
  let sessionsUsed = 0;
  let loginsExhausted = false;
  let initialLeft = initial.length;
  /** Initial targets already handed to a session. */
  const claimed: number[] = [];
  // Measured costs; they only make plans more conservative as they grow.
  let loginEst = 0;
  let probeEst = 0;
  let latencySum = 0;
  let latenessSum = 0;
  let latencyN = 0;
  // Closed-phase decisions are recomputed only when something happened (an answer, a login).
  let version = 0;
  let cache: { version: number; session: Live | null; target: number | null; login: boolean } | null = null;
  let reported = -1;

  const canLogin = (): boolean => !loginsExhausted && loginCalls < cfg.maxSessions;

  const launchLogin = (): void => {
    loginCalls += 1;
    const call: LoginCall = { startedAt: deps.now(), done: false, session: null, finishedAt: 0, settled: Promise.resolve() };
    let pending: Promise<IdleSearchSession>;
    try {
      pending = deps.login();
    } catch (e) {
      pending = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    // Both outcomes are handled here, and the loop awaits `settled` before returning.
    call.settled = pending.then(
      (session) => {
        call.session = session;
        call.finishedAt = deps.now();
        call.done = true;
      },
      () => {
        // "Rejects if no more can be made": stop asking.
        loginsExhausted = true;
        call.finishedAt = deps.now();
        call.done = true;
      },
    );
    inflight.add(call);
  };

  const reachOf = (l: Live): number => l.until - l.a - probeEst;
  const held = (p: number, except?: Live): boolean => live.some((l) => l !== except && l.target !== null && Math.abs(l.target - p) < cfg.s / 2);
  // A point barely above lo would ask next to nothing (and float noise can make lo equal to it).
  const aboveLo = (p: number): boolean => p > lo + cfg.s / 4;
  const canReach = (l: Live, p: number, now: number): boolean => aboveLo(p) && p <= cfg.U && p >= now - l.a - EPS && p <= reachOf(l) + EPS;
  /** Could a session logged in now still ask anything within the budget? (Unknown before the first login is timed.) */
  const loginUseful = (now: number): boolean => now + loginEst + lo + cfg.s / 4 + probeEst <= Math.min(end, now + cfg.maxAge);

  /** Open phase: keep useful initial targets, give everyone else the most valuable gap they can reach. */
  const planOpen = (now: number): boolean => {
    live = live.filter((l) => now - l.a <= cfg.U && reachOf(l) > lo);
    for (const l of live) {
      if (l.target !== null && l.sticky && !(aboveLo(l.target) && l.target <= cfg.U && l.a + l.target + probeEst <= l.until + EPS)) {
        l.target = null;
        l.sticky = false;
      }
    }
    // A new session takes the longest of the initial targets still to hand out: the
    // earliest logins have the most budget left. Targets this session can't reach, no
    // later one can either, so they give way to the next points in priority order (with
    // slow logins and a short T the far dense points drop out this way).
    for (const l of live) {
      if (!l.fresh) continue;
      l.fresh = false;
      const slots = initial.length - claimed.length;
      const options = priority.cohort.filter((p) => !claimed.some((q) => Math.abs(q - p) < cfg.s / 2) && !held(p, l) && canReach(l, p, now)).slice(0, slots);
      if (options.length === 0) continue;
      const p = Math.max(...options);
      claimed.push(p);
      l.target = p;
      l.sticky = true;
    }
    // Free sessions: each point in priority order goes to the session that can just reach
    // it (tightest fit), keeping the long-reach sessions for the points only they can reach.
    const free = live.filter((l) => !l.sticky);
    for (const l of free) l.target = null;
    for (const p of priority.all) {
      if (free.length === 0) break;
      if (held(p)) continue;
      let bestI = -1;
      for (let i = 0; i < free.length; i++) {
        const l = free[i];
        const b = bestI >= 0 ? free[bestI] : undefined;
        if (l !== undefined && canReach(l, p, now) && (b === undefined || reachOf(l) < reachOf(b))) bestI = i;
      }
      const chosen = free[bestI];
      if (chosen !== undefined) {
        chosen.target = p;
        free.splice(bestI, 1);
      }
    }
    // Nobody left with a question and nothing coming: a fresh session, if it could still answer one.
    const planned = live.some((l) => l.target !== null);
    if (planned || inflight.size > 0 || initialLeft > 0 || !canLogin()) return false;
    return priority.all.some((p) => aboveLo(p) && !held(p) && now + loginEst + p + probeEst <= Math.min(end, now + cfg.maxAge));
  };

  /** Closed phase: one next action chosen by rollout (see bestClosedAction). */
  const planClosed = (now: number, hiMs: number): boolean => {
    live = live.filter((l) => now - l.a < hiMs);
    for (const l of live) {
      l.target = null;
      l.sticky = false;
    }
    if (cache === null || cache.version !== version) {
      // Rollout cost grows as cells³, so a bracket wider than MAX_ROLLOUT_CELLS steps is
      // planned on a coarser grid; it is redrawn after every answer, finer as it narrows.
      const n = Math.min(MAX_ROLLOUT_CELLS, Math.max(2, Math.ceil((hiMs - lo) / cfg.s - 1e-9)));
      const w = (hiMs - lo) / n;
      const model: Model = { base: lo, w, g: (k) => lo + k * w, end, delta: probeEst, lambda: loginEst, maxAge: cfg.maxAge };
      const refs: (Live | null)[] = [];
      const ptrs: MPtr[] = [];
      for (const l of live) {
        refs.push(l);
        ptrs.push({ a: l.a, ref: refs.length - 1, e: l.until });
      }
      for (const call of inflight) {
        refs.push(null);
        ptrs.push({ a: Math.max(now, call.startedAt + loginEst), ref: refs.length - 1, e: Math.min(end, call.startedAt + cfg.maxAge) });
      }
      const virt = canLogin() ? cfg.maxSessions - loginCalls : 0;
      const act = bestClosedAction(model, { t: now, lo: 0, hi: n, ptrs, virt, logins: 0 });
      const ref = act !== null && act.p >= 0 ? refs[ptrs[act.p]?.ref ?? -1] ?? null : null;
      cache = { version, session: ref, target: act === null ? null : model.g(act.k), login: act !== null && act.p < 0 };
    }
    const c = cache;
    if (c.session !== null && c.target !== null && live.includes(c.session)) c.session.target = c.target;
    return c.login && canLogin();
  };

  const progress = (now: number, final = false): void => {
    if (deps.onProgress === undefined) return;
    const next = final ? null : nextDue();
    deps.onProgress({
      lo,
      hi: hi ?? Number.POSITIVE_INFINITY,
      sessionsAlive: live.length,
      nextProbeInMs: next === null ? null : Math.max(0, next.due - now),
    });
  };

  // Sent early by the typical request latency and timer lateness, so that the portal
  // sees the planned idle. Negligible at a 30-minute scale; at a sub-second one a few ms
  // of setTimeout lateness are a sizeable part of a grid step.
  const leadEst = (): number => (latencyN === 0 ? 0 : (latencySum + latenessSum) / latencyN);

  function nextDue(): { l: Live; due: number } | null {
    let best: { l: Live; due: number } | null = null;
    for (const l of live) {
      if (l.target === null) continue;
      const due = l.a + l.target - leadEst();
      if (best === null || due < best.due) best = { l, due };
    }
    return best;
  }

  const fire = async (l: Live, due: number): Promise<void> => {
    const before = deps.now();
    if ((hi !== null && before - l.a >= hi) || before > l.until) {
      // Certainly dead, or too late to answer within the budget or the session's age limit: not worth a request.
      live = live.filter((x) => x !== l);
      return;
    }
    const answer = await deps.probe(l.session);
    const after = deps.now();
    const atMs = Number.isFinite(answer.atMs) ? answer.atMs : after;
    probeEst = Math.max(probeEst, after - before);
    latencySum += Math.min(Math.max(atMs - before, 0), after - before);
    // Lateness beyond a grid step is a stall (a busy machine), not a habit of the timer.
    latenessSum += Math.min(Math.max(before - due, 0), cfg.s / 4);
    latencyN += 1;
    const idleMs = atMs - l.a;
    probes.push({ sessionId: l.session.id, idleMs, alive: answer.alive, atMs });
    if (answer.alive) {
      if (hi !== null && idleMs >= hi) {
        // The portal contradicts an earlier dead answer (not a plain idle timer, or a
        // clock problem): the upper bound can no longer be trusted.
        inconsistent = true;
        hi = null;
      } else {
        lo = Math.max(lo, idleMs);
      }
      l.a = atMs;
      l.session.lastActivityMs = atMs;
      l.target = null;
      l.sticky = false;
    } else {
      if (idleMs <= lo) {
        inconsistent = true;
        lo = 0;
      } else {
        hi = hi === null ? idleMs : Math.min(hi, idleMs);
      }
      live = live.filter((x) => x !== l);
    }
  };

  const isResolved = (): boolean => hi !== null && hi - lo <= cfg.r;

  try {
    for (;;) {
      const now = deps.now();
      for (const call of [...inflight]) {
        if (!call.done) continue;
        inflight.delete(call);
        version += 1;
        if (call.session !== null) {
          sessionsUsed += 1;
          loginEst = Math.max(loginEst, call.finishedAt - call.startedAt);
          if (sessionsUsed === 1) {
            // Now that a login has been timed: the coarse targets go to the last wave of
            // initial logins, so the T/8 backtracker restarts about then plus T/8.
            const lastWave = call.startedAt + Math.ceil(initial.length / cfg.concurrency) * loginEst;
            priority = priorityPoints(cfg.T, cfg.s, cfg.U, end - lastWave - cfg.T / 8);
          }
          live.push({ session: call.session, a: call.session.lastActivityMs, target: null, sticky: false, fresh: hi === null, until: Math.min(end, call.startedAt + cfg.maxAge) });
        }
      }
      if (inconsistent || isResolved() || (hi === null && lo >= cfg.U)) break;

      // The initial logins, loginConcurrency at a time; pointless once a dead answer has come.
      while (hi === null && initialLeft > 0 && inflight.size < cfg.concurrency && canLogin() && loginUseful(now)) {
        initialLeft -= 1;
        launchLogin();
      }
      if (hi !== null || !canLogin() || !loginUseful(now)) initialLeft = 0;

      const wantLogin = hi === null ? planOpen(now) : planClosed(now, hi);
      if (wantLogin && inflight.size < cfg.concurrency) {
        launchLogin();
        version += 1;
        continue;
      }
      if (reported !== version) {
        reported = version;
        progress(now);
      }
      const next = nextDue();
      if (next !== null && next.due <= now) {
        await fire(next.l, next.due);
        version += 1;
        continue;
      }
      if (next === null && inflight.size === 0) break;
      const wake = Math.min(next === null ? Number.POSITIVE_INFINITY : next.due, inflight.size > 0 ? now + pollMs : Number.POSITIVE_INFINITY);
      await deps.sleepUntil(wake);
    }
  } finally {
    // No login outlives the call: the caller may tear its browser or client down next.
    await Promise.all([...inflight].map((c) => c.settled));
  }

  // The answer that ended the search has not been reported yet.
  if (reported !== version) progress(deps.now(), true);
  const finalHi: number | null = hi;
  return {
    lo,
    hi: finalHi,
    measuredMs: finalHi === null ? null : (lo + finalHi) / 2,
    resolved: !inconsistent && finalHi !== null && finalHi - lo <= cfg.r,
    probes,
    sessionsUsed: sessionsUsed + [...inflight].filter((c) => c.session !== null).length,
    wallMs: deps.now() - start,
  };
}
