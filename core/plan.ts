/**
 * The run plan: what the `portal-probe run` process hands to the Playwright runner and
 * its workers (separate processes). It holds the validated config with secret
 * *references* only; workers resolve the references themselves from their environment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProbeConfig } from '../config/schema.ts';
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
