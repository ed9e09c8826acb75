/**
 * The monitor's resident runner: the journeys of a tick run in the daemon's own process, in
 * browsers it launches once per matrix cell's browser and keeps, one fresh context per journey.
 * A tick then costs what its journeys cost, where a Playwright runner per tick paid for a
 * runner, a worker and a browser every time (bench/README.md, "The monitor"), and a concurrent
 * journey adds a browser context, not another browser.
 *
 * The journey code is `portal-probe run`'s: the session is opened and settled by
 * fixtures/open-session.ts and played by fixtures/play-journey.ts, exactly as the probe
 * fixture and the specs do under the Playwright runner, and each result is built by the
 * results reporter's own `journeyResult`. What the runner gave and this replaces, it does
 * the same way: steps are timed around the same step bodies; the journey timeout (with a long
 * check's expected duration on top) classifies the step under way; `retries` re-runs a journey
 * that did not pass; a stop closes the journeys' contexts and reports them interrupted.
 * Every context a journey opened (a check signs in more sessions) is closed when it ends.
 *
 * What only Playwright's runner writes — its HTML report, JUnit, traces — a resident tick does
 * not; a config that asks for traces runs its ticks through the runner (scripts/monitor.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, firefox, webkit, type Browser, type BrowserContext, type BrowserType } from '@playwright/test';
import { require as tsxRequire } from 'tsx/cjs/api';
import type { SecretStore } from '../config/secrets.ts';
import { plannedJourneys, runsIn, type PlannedJourney, type RunPlan } from '../core/plan.ts';
import { launchedWith, signalGroup, type Proc } from '../core/process-tree.ts';
import type { RunnableCell } from '../core/matrix.ts';
import type { JourneyResult } from '../core/result.ts';
import { openSession, settleSession, type OpenedSession } from '../fixtures/open-session.ts';
import { journeyTimeoutMs, playJourney } from '../fixtures/play-journey.ts';
import { resolveProxy } from '../fixtures/probe-session.ts';
import { journeyResult, type RawJourney } from '../reporters/results-reporter.ts';

export interface ResidentRun {
  plan: RunPlan;
  /** The cells that run something in this plan. */
  cells: RunnableCell[];
  secrets: SecretStore;
  redact: (s: string) => string;
  /** Aborted when the run is asked to stop: the journeys under way end as interrupted. */
  signal: AbortSignal;
  /** After a stop, how long the journeys under way have to end before the browsers are closed under them. */
  stopGraceMs: number;
}

const ENGINES: Record<string, BrowserType> = { chromium, firefox, webkit };
/**
 * How long the end of a journey may take at each stage: settling it (the failure's look at the
 * page, its screenshot, which has 5 s of its own), closing its contexts (a browser that takes
 * longer is hung), and its body noticing they closed.
 */
const SETTLE_MS = 15_000;
/**
 * Which attempt's step the code is in. One for the process: an AsyncLocalStorage stays in
 * Node's list of live storages (and costs every async operation a look) until disabled, so one
 * per attempt would pile up over a daemon's ticks.
 */
const IN_STEP = new AsyncLocalStorage<object>();
/** How long a browser has to close before it is killed: one that does not answer (hung, stopped) never would. */
const CLOSE_MS = 5000;
/** In the environment of every browser this runner launches, with a value of its own: how its process is found (Playwright does not say). */
const LAUNCH_MARK = 'PORTAL_PROBE_BROWSER';

export interface ResidentOptions {
  /** How long settling a journey, closing its contexts and its body's unwinding may each take (default 15 s). */
  settleMs?: number;
  /** How long a browser has to close before it is killed (default 5 s). */
  closeMs?: number;
}

export class ResidentRunner {
  private readonly settleMs: number;
  private readonly closeMs: number;
  constructor(o: ResidentOptions = {}) {
    this.settleMs = o.settleMs ?? SETTLE_MS;
    this.closeMs = o.closeMs ?? CLOSE_MS;
  }

  private readonly browsers = new Map<string, Promise<Browser>>();
  /** The main process of each browser it launched, where the OS says (Linux): what is killed when it will not close. */
  private readonly processes = new WeakMap<Browser, Proc>();
  private closed = false;

  /** Every journey of the plan in every cell that runs it, `workers` at a time; a result each. */
  async run(r: ResidentRun): Promise<JourneyResult[]> {
    const tasks = plannedJourneys(r.plan).flatMap((j) => r.cells.filter((c) => runsIn(r.plan, j, c.name)).map((cell) => ({ j, cell })));
    const results: JourneyResult[] = new Array<JourneyResult>(tasks.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < tasks.length; i = next++) {
        const t = tasks[i];
        // A stopped run starts nothing more: the run reports those as never started.
        if (!t || r.signal.aborted) continue;
        results[i] = await this.journey(r, t.j, t.cell);
      }
    };
    // A stop ends the journeys at once; one whose browser does not let go within the grace loses its browser.
    let grace: NodeJS.Timeout | undefined;
    const onStop = (): void => { grace = setTimeout(() => void this.kill(), r.stopGraceMs); };
    if (r.signal.aborted) onStop();
    else r.signal.addEventListener('abort', onStop, { once: true });
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(r.plan.config.workers, tasks.length)) }, lane));
    } finally {
      r.signal.removeEventListener('abort', onStop);
      clearTimeout(grace);
    }
    return results.filter((x) => x !== undefined);
  }

  /**
   * Closes every browser now, under whatever runs in them (a forced stop, or the stop grace
   * spent); their journeys end as they would on a crash. One that does not close is killed.
   * The next journey launches new ones.
   */
  async kill(): Promise<void> {
    const all = [...this.browsers.values()];
    this.browsers.clear();
    await Promise.all(all.map((b) => b.then((x) => this.end(x), () => undefined)));
  }

  /**
   * Closes a browser, and kills its process group if it has not closed within `closeMs` (a hung
   * or stopped browser never answers the close, and Playwright would wait for it for good).
   */
  private async end(browser: Browser): Promise<void> {
    const closed = await within(browser.close().catch(() => undefined), this.closeMs);
    const proc = this.processes.get(browser);
    if (!closed && proc) signalGroup(proc, 'SIGKILL');
  }

  /** Its browsers that are up (a crashed one is forgotten once Playwright sees it go). */
  async liveBrowsers(): Promise<number> {
    const up = await Promise.all([...this.browsers.values()].map((b) => b.then((x) => x.isConnected(), () => false)));
    return up.filter(Boolean).length;
  }

  /** Contexts open in its browsers (between ticks: none). */
  async openContexts(): Promise<number> {
    const open = await Promise.all([...this.browsers.values()].map((b) => b.then((x) => x.contexts().length, () => 0)));
    return open.reduce((a, b) => a + b, 0);
  }

  /** Closes every browser it launched; it runs nothing after. */
  async close(): Promise<void> {
    this.closed = true;
    await this.kill();
  }

  /** A journey in a cell, tried again up to `retries` times while it does not pass. */
  private async journey(r: ResidentRun, j: PlannedJourney, cell: RunnableCell): Promise<JourneyResult> {
    for (let retry = 0; ; retry++) {
      const result = journeyResult(r.plan, await this.attempt(r, j, cell, retry));
      const again = (result.outcome === 'failed' || result.outcome === 'error') && retry < r.plan.config.retries && !r.signal.aborted;
      if (!again) return result;
    }
  }

  /**
   * One try of a journey. Its time limit covers opening the session as well as playing it, as a
   * test's timeout covers its fixtures. When it ends — done, failed, timed out or stopped — the
   * attempt is over: the session's steps and sleeps refuse (ProbeSession.signal), no context opens
   * for it any more, and every context it opened is closed and its account given back, even if
   * its body is still unwinding.
   */
  private async attempt(r: ResidentRun, j: PlannedJourney, cell: RunnableCell, retry: number): Promise<RawJourney> {
    const startTime = new Date();
    const t0 = performance.now();
    const steps: RawJourney['steps'] = [];
    const base = { identity: { portal: j.portal.name, journey: j.journey.name }, cell: { browser: cell.browser, engine: cell.engine, viewport: cell.viewport }, startTime, retry };
    const raw = (status: RawJourney['status'], extra: Partial<RawJourney>): RawJourney => ({ ...base, meta: undefined, steps: [...steps], status, errorMessage: undefined, duration: Math.round(performance.now() - t0), ...extra });
    if (r.signal.aborted) return raw('interrupted', {});
    const over = new AbortController();
    const own: BrowserContext[] = [];
    // Only a journey's top-level steps are its steps, as under the runner (a step inside a step is part of it).
    const attempt = {};
    let opened: OpenedSession | undefined;
    // The browser first, outside the journey's limit, as the runner's worker-scoped browser is; a stop ends the wait.
    const launching = this.browser(cell);
    let real: Browser;
    try {
      const got = await untilStopped(launching, r.signal);
      if (!got) return raw('interrupted', {});
      real = got.value;
    } catch (e) {
      // A browser that will not launch: the harness's fault.
      return raw('failed', { errorMessage: e instanceof Error ? e.message : String(e) });
    }
    const browser = tracked(real, own, r.plan.config.timeouts.stepMs, over.signal);
    const limitMs = journeyTimeoutMs(r.plan, j.journey);
    const body = (async () => {
      const o = await openSession({
        browser, plan: r.plan, secrets: r.secrets, redact: r.redact, proxy: resolveProxy(r.plan.config.proxy, r.secrets), cellName: cell.name,
        portalName: j.portal.name, journeyName: j.journey.name, signal: over.signal,
        // The step's time, measured around the same body Playwright's test.step times; a step that
        // ends after the journey did is not the journey's.
        stepper: async (name, stepBody) => {
          if (IN_STEP.getStore() === attempt) return stepBody();
          const s0 = performance.now();
          let error = true;
          try {
            const value = await IN_STEP.run(attempt, stepBody);
            error = false;
            return value;
          } finally {
            if (!over.signal.aborted) steps.push({ title: name, duration: Math.round(performance.now() - s0), error });
          }
        },
      });
      opened = o;
      // Opened after the journey ended (a stop or the limit came meanwhile): given straight back.
      if (over.signal.aborted) {
        await o.close().catch(() => undefined);
        return;
      }
      await playJourney(o.session, { plan: r.plan, portal: j.portal, journey: j.journey, browser, projectName: cell.name, requireModule: (file) => tsxRequire(file, import.meta.url) });
    })();
    const ended = await race(body, limitMs, r.signal);
    over.abort(new Error('The journey is over.'));
    const session = opened?.session;
    const status: RawJourney['status'] = ended.kind === 'done' ? 'passed' : ended.kind === 'error' ? 'failed' : ended.kind === 'timeout' ? 'timedOut' : 'interrupted';
    const limit = `Test timeout of ${Math.round(limitMs)}ms exceeded`;
    const errorMessage = ended.kind === 'error' ? (ended.error instanceof Error ? ended.error.message : String(ended.error))
      : ended.kind === 'timeout' ? (session ? `${limit}.` : `${limit} while opening the session (leasing an account, opening a context).`) : undefined;
    try {
      // Ended before its session opened (no account to lease, a context that would not open): the harness's fault.
      if (!session) return raw(status, { errorMessage });
      const failed = status === 'failed' || status === 'timedOut';
      const dir = path.join(r.plan.runDir, 'artifacts', `${j.tag.slice(1)}-${cell.name}${retry ? `-retry${retry}` : ''}`.replace(/[^\w.-]+/g, '-'));
      if (failed && r.plan.config.artifacts.screenshot === 'on-failure') mkdirSync(dir, { recursive: true });
      const version = browser.version();
      const settled = (await within(settleSession(session, { failed, errorMessage, screenshotFile: path.join(dir, 'failure.png'), browserVersion: version }), this.settleMs))?.value
        // A browser that no longer answers: what the session knew, without a look at the page.
        ?? { metadata: structuredClone(session.metadata(version)), screenshot: undefined };
      return raw(status, { meta: settled.metadata, errorMessage, screenshot: settled.screenshot });
    } catch (e) {
      // Settling failed (an artifacts folder that cannot be made): a harness error for this journey, not the tick's loss.
      return raw('failed', { errorMessage: e instanceof Error ? e.message : String(e) });
    } finally {
      // Closing its contexts ends a body still running (its page calls fail). A browser that
      // cannot close a context in time, or whose body is still stuck in it (a context being
      // created that never comes), is hung: it is replaced, which also fails what waits on it.
      const closed = await within(Promise.all(own.map((c) => c.close().catch(() => undefined))), this.settleMs);
      const unwound = closed && await within(body.catch(() => undefined), this.settleMs);
      if (!closed || !unwound) this.discard(cell, launching, real);
      // The account back (a lease file's lock can take its own while), whatever the browser did.
      await within((opened?.close() ?? Promise.resolve()).catch(() => undefined), this.settleMs);
    }
  }

  /** The cell's browser, launched on first use and kept; launched again if it went away (a crash). */
  private browser(cell: RunnableCell): Promise<Browser> {
    if (this.closed) return Promise.reject(new Error('The resident runner is closed.'));
    const key = browserKey(cell);
    let b = this.browsers.get(key);
    if (!b) {
      const type = ENGINES[cell.engine];
      if (!type) return Promise.reject(new Error(`No Playwright browser type "${cell.engine}".`));
      // Headless wins over the cell's launch options, as Playwright's `headless` option (default true) does.
      // The monitor handles its stop signals itself (the journeys end, then the browsers close):
      // Playwright's own handlers would kill the browsers under the journeys at the first signal.
      // Marked, to find its process: Playwright spawns it as a process group of its own, and
      // kills that group on a forced close — which a browser that never answers would need.
      const mark = randomUUID();
      const env = { ...definedEnv(), [LAUNCH_MARK]: mark };
      b = type.launch({
        ...cell.launch.launchOptions, ...(cell.launch.channel ? { channel: cell.launch.channel } : {}),
        headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, env,
      }).then((browser) => {
        const proc = launchedWith(process.pid, LAUNCH_MARK, mark);
        if (proc) this.processes.set(browser, proc);
        return browser;
      });
      this.browsers.set(key, b);
      b.then((browser) => browser.on('disconnected', () => {
        if (this.browsers.get(key) === b) this.browsers.delete(key);
      }), () => this.browsers.delete(key));
    }
    return b;
  }

  /**
   * Closes a hung browser (killing it if it does not close), and forgets it if it is still the
   * cell's (not one launched since, in its place); the next journey launches another.
   */
  private discard(cell: RunnableCell, launched: Promise<Browser>, browser: Browser): void {
    const key = browserKey(cell);
    if (this.browsers.get(key) === launched) this.browsers.delete(key);
    void this.end(browser);
  }
}

/** This process's environment without its unset names, as a launch's `env` takes it. */
function definedEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Cells that launch the same engine the same way share a browser. */
function browserKey(cell: RunnableCell): string {
  return JSON.stringify([cell.engine, cell.launch]);
}

/** What `work` gave, or undefined if it took longer than `ms` (it is left to finish on its own). */
async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work.then((value) => ({ value })), new Promise<undefined>((resolve) => { timer = setTimeout(resolve, ms, undefined); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `work` gave, or undefined if `signal` was aborted first. */
async function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<{ value: T } | undefined> {
  if (signal.aborted) return undefined;
  let onAbort = (): void => undefined;
  try {
    return await Promise.race([work.then((value) => ({ value })), new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    })]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

type Ended = { kind: 'done' } | { kind: 'error'; error: unknown } | { kind: 'timeout' } | { kind: 'stopped' };

/** The journey's end: its body settles, its time limit passes, or the run is stopped. */
function race(body: Promise<void>, limitMs: number, signal: AbortSignal): Promise<Ended> {
  return new Promise((resolve) => {
    // A stop that came while the session was opening counts too (an aborted signal fires no later listener).
    if (signal.aborted) {
      resolve({ kind: 'stopped' });
      return;
    }
    const end = (e: Ended): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(e);
    };
    const timer = setTimeout(() => end({ kind: 'timeout' }), limitMs);
    timer.unref();
    const onAbort = (): void => end({ kind: 'stopped' });
    signal.addEventListener('abort', onAbort, { once: true });
    body.then(() => end({ kind: 'done' }), (error: unknown) => end({ kind: 'error', error }));
  });
}

/**
 * The shared browser as one journey sees it: every context it opens is listed in `own`, to be
 * closed when the journey ends; once it has ended (`over`), it opens none (one that was being
 * created meanwhile is closed at once).
 */
function tracked(browser: Browser, own: BrowserContext[], stepMs: number, over: AbortSignal): Browser {
  // Every context gets the step timeout as its default, as Playwright's runner gives each (actionTimeout, navigationTimeout).
  const adopt = async (c: BrowserContext): Promise<BrowserContext> => {
    if (over.aborted) {
      await c.close().catch(() => undefined);
      over.throwIfAborted();
    }
    c.setDefaultTimeout(stepMs);
    c.setDefaultNavigationTimeout(stepMs);
    own.push(c);
    return c;
  };
  return new Proxy(browser, {
    get(target, key) {
      if (key === 'newContext') {
        return async (...a: Parameters<Browser['newContext']>) => {
          over.throwIfAborted();
          return adopt(await target.newContext(...a));
        };
      }
      if (key === 'newPage') {
        return async (...a: Parameters<Browser['newPage']>) => {
          over.throwIfAborted();
          const p = await target.newPage(...a);
          await adopt(p.context());
          return p;
        };
      }
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
}
