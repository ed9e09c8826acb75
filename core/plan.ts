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
}

/** A journey the run plan selected, and whether every cell of the matrix owes a result for it. */
export interface PlannedJourney { portal: PortalConfig; journey: JourneyConfig; everyCell: boolean }

/**
 * The one rule for which journeys a run runs, and where: every journey that --journeys and
 * --checks select; login and script journeys in every cell, checks only in the primary cell
 * (server policy rarely differs by browser) unless marked allBrowsers. The specs, the
 * not-run placeholders and the long-check notices all read it from here.
 */
export function plannedJourneys(plan: Pick<RunPlan, 'config' | 'journeyFilter' | 'kinds'>): PlannedJourney[] {
  return plan.config.portals.flatMap((portal) => portal.journeys
    .filter((journey) => (plan.journeyFilter.length === 0 || plan.journeyFilter.includes(journey.name)) && plan.kinds.includes(journey.kind))
    .map((journey) => ({
      portal, journey,
      everyCell: journey.kind === 'login' || journey.kind === 'script' || ('allBrowsers' in journey && journey.allBrowsers === true),
    })));
}

/** Whether the cell (Playwright project) `cellName` runs `j`. */
export function runsIn(plan: Pick<RunPlan, 'primaryProject'>, j: PlannedJourney, cellName: string): boolean {
  return j.everyCell || cellName === plan.primaryProject;
}

/** The tag a journey's test carries when only the primary cell runs it (playwright.config filters it elsewhere). */
export const PRIMARY_ONLY_TAG = '@primary-only';

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
