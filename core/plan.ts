/**
 * The run plan: what the `portal-probe run` process hands to the Playwright runner and
 * its workers (separate processes). It holds the validated config with secret
 * *references* only; workers resolve the references themselves from their environment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JourneyConfig, PortalConfig, ProbeConfig } from '../config/schema.ts';
import { HarnessError } from './errors.ts';
import type { NotRunCell, RunnableCell } from './matrix.ts';

export const PLAN_ENV = 'PORTAL_PROBE_PLAN';

export interface RunPlan {
  runId: string;
  runDir: string;
  startedAt: string;
  configSource: string;
  baseDir: string;
  /** "demo" base URLs already replaced by the embedded portal's real URL. */
  config: ProbeConfig;
  runnable: RunnableCell[];
  notRun: NotRunCell[];
  /** Only journeys whose name matches are run (empty: all). */
  journeyFilter: string[];
  /** Journey kinds selected with --checks (all by default). */
  kinds: string[];
  /** The project that runs checks not marked allBrowsers (server policy rarely differs by browser). */
  primaryProject: string | null;
  /** Where TOTP reservations and account leases are shared between processes. */
  stateDir: string;
  /** This machine's share of a matrix split across machines (`--shard i/n`); absent: the whole matrix. */
  shard?: ShardSpec;
}

/**
 * A share of the matrix. Every (journey, cell) pair of the whole matrix — every cell the
 * config and the command's browser and viewport options name, runnable here or not — is
 * given to exactly one shard by the same rule on every machine, so the shards' results
 * together are one unsharded run's. Checks that run once per run go to `checks`.
 */
export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
  /** The shard that runs the session and security checks (default 1). */
  checks: number;
  /** Every cell of the matrix, in the matrix's order (the same list on every machine). */
  cells: string[];
}

/**
 * A journey the run plan selected, whether every cell of the matrix owes a result for it,
 * and the tag its test carries (playwright.config selects each project's tests by it).
 */
export interface PlannedJourney { portal: PortalConfig; journey: JourneyConfig; everyCell: boolean; tag: string }

/**
 * The one rule for which journeys a run runs, and where: every journey that --journeys and
 * --checks select; login and script journeys in every cell, checks only in the primary cell
 * (server policy rarely differs by browser) unless marked allBrowsers. The specs, the
 * not-run placeholders and the long-check notices all read it from here.
 */
export function plannedJourneys(plan: Pick<RunPlan, 'config' | 'journeyFilter' | 'kinds'>): PlannedJourney[] {
  return plan.config.portals.flatMap((portal, p) => portal.journeys
    .map((journey, j) => ({ journey, tag: `@pp-j${p}-${j}` }))
    .filter(({ journey }) => (plan.journeyFilter.length === 0 || plan.journeyFilter.includes(journey.name)) && plan.kinds.includes(journey.kind))
    .map(({ journey, tag }) => ({
      portal, journey, tag,
      everyCell: journey.kind === 'login' || journey.kind === 'script' || ('allBrowsers' in journey && journey.allBrowsers === true),
    })));
}

type ShardPlan = Pick<RunPlan, 'primaryProject' | 'config' | 'journeyFilter' | 'kinds'> & { shard?: ShardSpec | undefined };

/**
 * Whether the cell (Playwright project) `cellName` runs `j`: login and script journeys (and
 * checks marked allBrowsers) in every cell of this shard's share, other checks only in the
 * primary cell of the checks' shard.
 */
export function runsIn(plan: ShardPlan, j: PlannedJourney, cellName: string): boolean {
  if (!j.everyCell) return cellName === plan.primaryProject && (!plan.shard || plan.shard.index === plan.shard.checks);
  return !plan.shard || shardOf(plan as ShardPlan & { shard: ShardSpec }, j, cellName) === plan.shard.index;
}

const assignments = new WeakMap<ShardSpec, Map<string, number>>();
/** How much a check weighs against one login when shares are balanced (a check signs in and then probes). */
const CHECK_WEIGHT = 2;

/**
 * The shard a (journey, cell) pair belongs to: checks are pinned to the checks' shard; each
 * other pair, in journey-then-cell order, goes to the least loaded shard (the lowest on a tie).
 */
function shardOf(plan: ShardPlan & { shard: ShardSpec }, j: PlannedJourney, cellName: string): number {
  let map = assignments.get(plan.shard);
  if (!map) {
    map = new Map();
    const load = new Array<number>(plan.shard.total + 1).fill(0);
    const planned = plannedJourneys(plan);
    load[plan.shard.checks] = (load[plan.shard.checks] ?? 0) + CHECK_WEIGHT * planned.filter((x) => !x.everyCell).length;
    for (const x of planned.filter((y) => y.everyCell)) {
      for (const cell of plan.shard.cells) {
        let best = 1;
        for (let i = 2; i <= plan.shard.total; i++) if ((load[i] ?? 0) < (load[best] ?? 0)) best = i;
        load[best] = (load[best] ?? 0) + 1;
        map.set(`${x.tag} ${cell}`, best);
      }
    }
    assignments.set(plan.shard, map);
  }
  return map.get(`${j.tag} ${cellName}`) ?? 0;
}

/** The shard a (journey, cell) pair of a sharded plan belongs to (a check: the checks' shard, whatever the cell). */
export function shardFor(plan: ShardPlan & { shard: ShardSpec }, j: PlannedJourney, cellName: string): number {
  return j.everyCell ? shardOf(plan, j, cellName) : plan.shard.checks;
}

/** `--shard i/n` as a share, or the sentence that says what is wrong with it. */
export function parseShard(v: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || index < 1 || total < 1 || index > total) throw new HarnessError('USAGE', `--shard ${v} must look like i/n with 1 <= i <= n, e.g. 2/3.`);
  return { index, total };
}

export function writePlan(plan: RunPlan): string {
  const file = path.join(plan.runDir, 'plan.json');
  try {
    writeFileSync(file, JSON.stringify(plan, null, 2), { mode: 0o600 });
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write the run plan to ${file}.`, { cause: e });
  }
  return file;
}

let cached: RunPlan | undefined;
export function readPlan(): RunPlan {
  if (cached) return cached;
  const file = process.env[PLAN_ENV];
  if (!file) {
    throw new HarnessError('USAGE', `No run plan: start checks with "portal-probe run" (it sets ${PLAN_ENV}), not with "playwright test" directly.`);
  }
  cached = JSON.parse(readFileSync(file, 'utf8')) as RunPlan;
  return cached;
}
