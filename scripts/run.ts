/**
 * `portal-probe run`: config → (demo portal) → secrets → browser matrix → Playwright
 * runner → typed results, table, exit code. Harness faults surface as HarnessError with
 * exit 2; a portal that fails a check is a result with exit 1.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/load.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { demoConfig } from '../config/demo.config.ts';
import type { BrowserName, ProbeConfig } from '../config/schema.ts';
import { buildMatrix } from '../core/matrix.ts';
import { PLAN_ENV, plannedJourneys, runsIn, shardFor, writePlan, type RunPlan } from '../core/plan.ts';
import { configIdentity } from '../config/identity.ts';
import { writeBundle } from '../report/bundle.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { createRedactor, redactDeep } from '../core/redact.ts';
import { createLogger, flushLogger } from '../core/logger.ts';
import { INTERRUPTED, summarize, type JourneyResult, type RunResult } from '../core/result.ts';
import { formatRegressions, formatTable } from '../reporters/table.ts';
import { fromRun, openStore, type HistoryStore } from '../store/index.ts';
import { judgeRun } from '../analysis/judge.ts';
import { notRunResults } from './not-run.ts';
import { selectKinds } from '../core/checks-catalog.ts';
import { longCheckNotices } from './long-checks.ts';
import { startEmbeddedDemo, type EmbeddedDemo } from './embedded-demo.ts';
import { Interruption } from './interrupt.ts';
import { descendants, signalAll, stillRunning, type Proc } from '../core/process-tree.ts';
import type { ResidentRunner } from '../monitor/resident.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** How long a stopped runner may take to end its journeys and close its browsers before it is ended. */
const STOP_GRACE_MS = 30_000;
/** After SIGTERM to the runner's process group, how long before SIGKILL. */
const KILL_GRACE_MS = 5000;

export interface RunOptions {
  configPath?: string;
  cwd: string;
  faults: string[];
  browsers?: BrowserName[];
  viewports?: string[];
  journeys: string[];
  checks: string[];
  workers?: number;
  outputDir?: string;
  labels: Record<string, string>;
  json: boolean;
  /** The history store (default: the config's `store`). */
  store?: string;
  location?: string;
  /** A regression exits 1 (default), like a failed check. */
  regressionExit?: boolean;
  /** The monitor's ticks: only this portal's journeys … */
  portal?: string;
  /** … only these cells ("chromium/desktop"), for the retry of a failing tick … */
  cells?: string[];
  /** … with the config it loaded once, its embedded demo portal, its stop signal, and one line of output instead of the table. */
  loaded?: LoadedConfig;
  demo?: EmbeddedDemo;
  interruption?: Interruption;
  quiet?: boolean;
  /**
   * Runs the plan's journeys instead of a Playwright runner process: the monitor's resident
   * runner (monitor/resident.ts), which keeps its browsers between ticks.
   */
  executor?: ResidentRunner;
  /** How long a stopped runner may take to end its journeys before it is ended (default 30 s). */
  stopGraceMs?: number;
  /** This machine's share of a matrix split across machines, and the shard that runs the checks (default 1). */
  shard?: { index: number; total: number };
  checksShard?: number;
  /** The id every machine of one matrix run records (the store's run group). */
  runGroup?: string;
  /** Only these of the config's accounts may be used here (each machine of a matrix its own: TOTP codes are single-use). */
  accounts?: string[];
}

export async function runCommand(o: RunOptions): Promise<number> {
  return (await runOnce(o)).exitCode;
}

type LoadedConfig = Awaited<ReturnType<typeof loadConfig>>;

/** One run, start to finish: the results it recorded (results.json's content). */
export async function runOnce(o: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const loaded = o.loaded ?? await loadConfig({ cwd: o.cwd, demoConfig: async () => demoConfig, ...(o.configPath ? { configPath: o.configPath } : {}) });
  const config = applyOverrides(loaded.config, o);
  const runId = `${startedAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const runDir = path.resolve(o.cwd, config.outputDir, runId);
  try {
    mkdirSync(runDir, { recursive: true });
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot create the output directory ${runDir}.`, { cause: e });
  }

  let demo: EmbeddedDemo | undefined = o.demo;
  const usesDemo = config.portals.some((p) => p.baseUrl === 'demo');
  if (!usesDemo && o.faults.length > 0) throw new HarnessError('USAGE', '--fault applies only to the embedded demo portal, and no portal in this config uses baseUrl "demo".');
  let logger: ReturnType<typeof createLogger> | undefined;
  const interruption = o.interruption ?? new Interruption();
  const say = o.quiet ? (): void => undefined : (...a: unknown[]): void => console.log(...a);
  try {
    if (usesDemo && !demo) demo = await startEmbeddedDemo(config, [...config.demo.faults, ...o.faults]);
    const secrets = resolveSecrets(config, { env: process.env, baseDir: loaded.baseDir, ...(demo ? { demoSecrets: demo.secrets } : {}) });
    const redact = createRedactor([...secrets.values(), ...(demo ? [demo.portal.adminToken] : [])]);
    const runtimeLogger = createLogger({ destination: path.join(runDir, 'portal-probe.log'), secrets: secrets.values() });
    logger = runtimeLogger;

    // The embedded demo portal's certificate is self-signed: accepted for it, and only for it.
    const resolved: ProbeConfig = demo ? { ...config, portals: config.portals.map((p) => (p.baseUrl === 'demo' ? { ...p, baseUrl: demo!.baseUrl, ignoreHTTPSErrors: true } : p)) } : config;
    const matrix = buildMatrix(resolved);
    // A retry runs only the cells that failed.
    const inCells = (c: { browser: string; viewport: { name: string } }): boolean => !o.cells || o.cells.includes(`${c.browser}/${c.viewport.name}`);
    const runnable = matrix.runnable.filter(inCells);
    const notRun = matrix.notRun.filter(inCells);
    const checksShard = o.checksShard ?? 1;
    const plan: RunPlan = {
      runId, runDir, startedAt: startedAt.toISOString(), configSource: loaded.source, baseDir: loaded.baseDir,
      config: resolved, runnable, notRun, journeyFilter: o.journeys,
      // With no browser to run, a cell that is not run "runs" the checks: they get its placeholder, and its reason.
      kinds: selectKinds(o.checks), primaryProject: runnable[0]?.name ?? notRun[0]?.name ?? null,
      stateDir: process.env.PORTAL_PROBE_STATE_DIR ?? path.join(os.tmpdir(), 'portal-probe-state'),
      ...(o.shard ? { shard: { ...o.shard, checks: checksShard, cells: matrix.cells } } : {}),
    };
    // The cells that run something here (a shard's share can leave a cell with nothing).
    const planned = plannedJourneys(plan);
    const busy = runnable.filter((c) => planned.some((j) => runsIn(plan, j, c.name)));
    const planFile = writePlan(plan);
    for (const w of loaded.warnings) console.warn(`warning: ${w}`);
    for (const line of longCheckNotices(plan)) say(line);
    say(`portal-probe run ${runId}`);
    say(`config: ${loaded.source}${demo ? `\ndemo portal: ${demo.baseUrl}${demo.faults.length ? ` (faults: ${demo.faults.join(', ')})` : ''}` : ''}`);
    say(`matrix: ${runnable.map((c) => c.name).join(', ') || 'nothing runnable'}${notRun.length ? `; not run: ${notRun.map((c) => c.name).join(', ')}` : ''}`);
    if (plan.shard) say(`shard ${plan.shard.index}/${plan.shard.total}: ${busy.map((c) => c.name).join(', ') || 'nothing to run here'}; the session and security checks run on shard ${plan.shard.checks}`);
    runtimeLogger.info({ run: runId, config: loaded.source, runnable: runnable.map((c) => c.name), notRun: notRun.map((c) => ({ cell: c.name, reason: c.reason })) }, 'run started');

    let played: JourneyResult[] = [];
    // A signal that arrived during the synchronous work above (reading a secret file can
    // block) is only handled in the event loop's poll phase: pass through one, so a run
    // stopped before its runner starts never starts it. One setImmediate would resolve in
    // the current turn's check phase, before the poll; the second lands after it.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    const runnerStarted = busy.length > 0 && !interruption.signal;
    if (runnerStarted && o.executor) {
      const stop = new AbortController();
      const executor = o.executor;
      // A stop ends the journeys under way (within the grace); a second one closes their browsers now.
      const stopListening = interruption.onSignal((force) => {
        stop.abort();
        if (force) void executor.kill();
      });
      try {
        played = await executor.run({ plan, cells: busy, secrets, redact, signal: stop.signal, stopGraceMs: o.stopGraceMs ?? STOP_GRACE_MS });
      } finally {
        stopListening();
      }
    } else if (runnerStarted) {
      const code = await runPlaywright(planFile, demo?.env ?? {}, interruption, o.stopGraceMs ?? STOP_GRACE_MS);
      const file = path.join(runDir, 'playwright-results.json');
      if (existsSync(file)) played = JSON.parse(readFileSync(file, 'utf8')) as JourneyResult[];
      else if (!interruption.signal) throw new HarnessError('RUNNER_FAILED', `The Playwright runner exited with code ${code} without writing results; see the output above.`);
    }
    // A stopped run still owes a result for every runnable journey. Those the runner did not
    // report never started — unless it was killed before it could report anything.
    const reported = new Set(played.map((r) => r.id));
    // (The resident runner reports every journey it started.)
    const unknown = runnerStarted && !o.executor && played.length === 0 ? INTERRUPTED.midway : INTERRUPTED.notStarted;
    const stoppedEarly = interruption.signal ? notRunResults(plan, busy, unknown).filter((r) => !reported.has(r.id)) : [];
    const unjudged = redactDeep([...played, ...stoppedEarly, ...notRunResults(plan)], redact);
    // History: judged against the cell's earlier results, then recorded. A store that cannot be
    // opened, read or written is a harness fault (exit 2) that never costs results.json.
    const host = os.hostname();
    const location = o.location ?? config.location ?? host;
    const storeWhere = path.resolve(o.cwd, o.store ?? config.store);
    let store: HistoryStore | undefined;
    let storeError: string | undefined;
    let results = unjudged;
    let stepVerdicts = new Map<string, Map<string, string>>();
    try {
      store = await openStore(o.store ?? config.store, o.cwd);
      ({ results, stepVerdicts } = await judgeRun(store, unjudged, location, config.history));
    } catch (e) {
      storeError = e instanceof Error ? e.message : String(e);
    }
    const summary = summarize(results);
    const ran = summary.total - summary.notRun;
    const regressions = results.filter((r) => r.verdict?.verdict === 'regressed').length;
    // With --no-regression-exit a result degraded only by its regression does not fail the run.
    const original = new Map(unjudged.map((r) => [r.id, r.outcome]));
    const failing = results.filter((r) => r.outcome === 'failed' || (r.outcome === 'degraded' && (o.regressionExit !== false || original.get(r.id) === 'degraded'))).length;
    // A shard whose share is empty here has nothing to run, and that is not a fault.
    const nothingOwed = plan.shard !== undefined && summary.total === 0;
    const exitCode = interruption.exitCode
      ?? (summary.error > 0 || (ran === 0 && !nothingOwed) || storeError !== undefined ? EXIT.harness : failing > 0 ? EXIT.checksFailed : EXIT.ok);
    const run: RunResult = {
      runId, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), configSource: loaded.source,
      labels: config.labels, results, summary, exitCode, host, location, regressions,
      ...(interruption.signal ? { interrupted: interruption.signal } : {}),
      configHash: configIdentity(loaded.config), os: `${process.platform} ${os.release()} (${process.arch})`,
      ...(o.runGroup ? { group: o.runGroup } : {}),
      ...(plan.shard ? { shard: { index: plan.shard.index, total: plan.shard.total, checks: plan.shard.checks } } : {}),
    };
    if (store && storeError === undefined) {
      try {
        await store.record(fromRun(run, stepVerdicts, o.runGroup ?? null));
        await store.prune(Date.now() - config.history.retentionDays * 86_400_000);
      } catch (e) {
        storeError = e instanceof Error ? e.message : String(e);
        run.exitCode = interruption.exitCode ?? EXIT.harness;
      }
    }
    await store?.close().catch(() => undefined);
    run.store = { where: storeWhere, recorded: storeError === undefined, ...(storeError === undefined ? {} : { error: storeError }) };
    try {
      writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(run, null, 2));
    } catch (e) {
      console.error(`portal-probe: cannot write ${path.join(runDir, 'results.json')}: ${e instanceof Error ? e.message : String(e)}${run.store.recorded ? ' (the run is recorded in the history store)' : ''}`);
      run.exitCode = EXIT.harness;
    }
    // The results bundle: what `portal-probe merge` takes from each machine of a matrix run.
    // A sharded run lists every (journey, cell) pair of the whole matrix and its shard, so merge can tell a shard that never reported.
    const share = plan.shard ? {
      shards: plan.shard.total,
      pairs: planned.flatMap((j) => (j.everyCell ? plan.shard?.cells ?? [] : ['*']).map((cell) => ({
        portal: j.portal.name, journey: j.journey.name, environment: j.portal.environment, kind: j.journey.kind, cell,
        shard: shardFor(plan as RunPlan & { shard: NonNullable<RunPlan['shard']> }, j, cell),
      }))),
    } : null;
    try {
      writeBundle(runDir, run, { runnable, notRun, share });
    } catch (e) {
      console.error(`portal-probe: cannot write the results bundle's ${path.join(runDir, 'bundle.json')}: ${e instanceof Error ? e.message : String(e)}`);
      run.exitCode = interruption.exitCode ?? EXIT.harness;
    }
    if (storeError !== undefined) console.error(`portal-probe: ${storeError}`);
    runtimeLogger.info({ run: runId, summary, exitCode: run.exitCode, regressions, ...(run.interrupted ? { interrupted: run.interrupted } : {}) }, run.interrupted ? 'run interrupted' : 'run finished');
    if (o.quiet) {
      // The monitor's one line per run.
      console.log(`run ${runId}: ${summary.passed} passed, ${summary.degraded} degraded, ${summary.failed} failed, ${summary.notRun} not run, ${summary.error} errors`);
    } else if (o.json) console.log(JSON.stringify(run, null, 2));
    else {
      console.log(formatTable(run));
      const history = formatRegressions(run);
      if (history) console.log(history);
      if (run.interrupted) console.log(`Interrupted by ${run.interrupted}: journeys that did not finish are "not run".`);
      else if (ran === 0) console.log('No browser in the matrix is available on this machine (run "portal-probe setup").');
      console.log(`\nresults: ${path.relative(o.cwd, path.join(runDir, 'results.json'))}\nbundle: ${path.relative(o.cwd, runDir)}\nHTML report: ${path.relative(o.cwd, path.join(runDir, 'html', 'index.html'))}\nJUnit: ${path.relative(o.cwd, path.join(runDir, 'junit.xml'))}`);
    }
    return run;
  } finally {
    if (!o.demo) await demo?.portal.close();
    if (logger) await flushLogger(logger);
    if (!o.interruption) interruption.dispose();
  }
}

/** SIGTERM to those still running, SIGKILL to those still there after the grace period. */
async function endLeftovers(procs: Proc[]): Promise<void> {
  const left = (): Proc[] => procs.filter(stillRunning);
  if (left().length === 0) return;
  signalAll(left(), 'SIGTERM');
  for (const until = Date.now() + KILL_GRACE_MS; left().length > 0 && Date.now() < until;) await sleep(100);
  signalAll(left(), 'SIGKILL');
}

function applyOverrides(c: ProbeConfig, o: RunOptions): ProbeConfig {
  const out: ProbeConfig = { ...c, labels: { ...c.labels, ...o.labels }, ...(o.portal ? { portals: c.portals.filter((p) => p.name === o.portal) } : {}) };
  if (out.portals.length === 0) throw new HarnessError('USAGE', `No portal named "${o.portal}" in the config.`);
  if (o.browsers) out.browsers = o.browsers;
  if (o.viewports) out.viewports = c.viewports.filter((v) => o.viewports?.includes(typeof v === 'string' ? v : v.name));
  if (o.viewports && out.viewports.length === 0) throw new HarnessError('USAGE', `--viewports ${o.viewports.join(',')} matches no viewport in the config.`);
  if (o.workers) out.workers = o.workers;
  const kinds = selectKinds(o.checks);
  const selected = (j: { name: string; kind: string }): boolean => (o.journeys.length === 0 || o.journeys.includes(j.name)) && (kinds as readonly string[]).includes(j.kind);
  if (o.accounts) {
    const known = new Set(c.portals.flatMap((p) => p.accounts.map((a) => a.id)));
    const unknownAccounts = o.accounts.filter((a) => !known.has(a));
    if (unknownAccounts.length) throw new HarnessError('USAGE', `--accounts names unknown account(s): ${unknownAccounts.join(', ')}.`);
    out.portals = out.portals.map((p) => restrictAccounts(p, o.accounts ?? [], selected));
  }
  if (o.outputDir) out.outputDir = o.outputDir;
  const names = new Set(c.portals.flatMap((p) => p.journeys.map((j) => j.name)));
  const unknown = o.journeys.filter((j) => !names.has(j));
  if (unknown.length) throw new HarnessError('USAGE', `--journeys names unknown journey(s): ${unknown.join(', ')}.`);
  return out;
}

/**
 * `--accounts`: this machine's share of a portal's accounts. A journey left with no account
 * it may use is refused, naming it, rather than run with another machine's.
 */
function restrictAccounts(p: ProbeConfig['portals'][number], allowed: readonly string[], selected: (j: { name: string; kind: string }) => boolean): ProbeConfig['portals'][number] {
  const accounts = p.accounts.filter((a) => allowed.includes(a.id));
  const uses = (u: { pool: string } | { account: string }): boolean => ('account' in u ? accounts.some((a) => a.id === u.account) : accounts.some((a) => a.pool === u.pool));
  for (const j of p.journeys.filter(selected)) {
    const refs = j.kind === 'role-access' ? j.roles.map((r) => r.use) : [j.use];
    const missing = refs.find((u) => !uses(u));
    if (missing) throw new HarnessError('USAGE', `--accounts leaves journey "${j.name}" of portal "${p.name}" no account to use (it needs ${'account' in missing ? `account ${missing.account}` : `one of pool ${missing.pool}`}).`);
  }
  return { ...p, accounts };
}

/**
 * Runs the Playwright runner in its own process group, so a terminal's Ctrl-C reaches it
 * once, through here. A stop request is passed on as SIGINT (the runner ends the journeys
 * under way, closes the browsers and writes its reports); a runner still there after the
 * grace period, or a repeated request, gets SIGTERM for its whole group, then SIGKILL.
 * Workers outlive a killed runner if they are stuck (they ignore SIGTERM and wait for
 * their runner to go away, which a busy worker never sees), and their browsers run in
 * process groups of their own: so every process seen under the runner once the stop was
 * asked for is ended too, by pid and start time, before the run returns.
 */
function runPlaywright(planFile: string, extraEnv: Record<string, string>, interruption: Interruption, stopGraceMs: number): Promise<number> {
  const require = createRequire(import.meta.url);
  // Installed as a dependency, @playwright/test sits beside portal-probe, not inside it.
  const cli = require.resolve('@playwright/test/cli');
  // Playwright compiles no TypeScript under node_modules: installed, portal-probe's own
  // config, specs and fixtures are compiled by tsx, in the runner and (inherited) its workers.
  const loader = ROOT.split(path.sep).includes('node_modules') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  const child = spawn(process.execPath, [...loader, cli, 'test', '-c', path.join(ROOT, 'playwright.config.ts')], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], detached: true,
    env: { ...process.env, ...extraEnv, [PLAN_ENV]: planFile, PLAYWRIGHT_HTML_OPEN: 'never', FORCE_COLOR: '0' },
  });
  const timers: NodeJS.Timeout[] = [];
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const seen = new Map<string, Proc>();
  const remember = (): void => {
    if (child.pid !== undefined) for (const p of descendants(child.pid)) seen.set(`${p.pid}/${p.startTime}`, p);
  };
  const endGroup = (): void => {
    remember();
    signalGroup('SIGTERM');
    timers.push(setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS));
  };
  const stopListening = interruption.onSignal((force) => {
    if (force) {
      endGroup();
      return;
    }
    remember();
    child.kill('SIGINT');
    timers.push(setTimeout(endGroup, stopGraceMs));
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new HarnessError('RUNNER_FAILED', 'Could not start the Playwright runner.', { cause: e })));
    child.on('exit', (code) => {
      stopListening();
      for (const t of timers) clearTimeout(t);
      // Workers outliving their runner would keep browsers open.
      signalGroup('SIGTERM');
      void endLeftovers([...seen.values()]).then(() => resolve(code ?? EXIT.harness));
    });
  });
}
