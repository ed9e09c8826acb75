/**
 * The typed result of one journey × browser × viewport. Results are data: a portal
 * failing a check is a `failed` result with a category, never an exception.
 */
import type { BrowserName } from '../config/schema.ts';
import type { Category } from './classify.ts';

export type Outcome = 'passed' | 'degraded' | 'failed' | 'not-run' | 'error';
export type StepStatus = 'passed' | 'failed' | 'skipped' | 'not-reached';

export interface StepResult {
  name: string;
  status: StepStatus;
  /** From Playwright's step timing (reporter), never from Date.now() in the checks. */
  durationMs: number | null;
  budgetMs?: number;
  overBudget?: boolean;
}

/**
 * A check's measurement as a number, for the store, the gate and the report to compare:
 * e.g. `{ name: 'idle timeout', value: 600, unit: 's', expected: 600, lo: 590, hi: 610 }`.
 * `lo`/`hi` bracket a value measured only to an interval; `expected` is the policy's value.
 */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
  expected?: number;
  lo?: number;
  hi?: number;
  /** A floor the value should stay at or above: a warning line, e.g. certificate days left. */
  atLeast?: number;
}

/** Session/security checks: what was verified (requirement ids), expected vs measured, in words and in numbers. */
export interface CheckInfo { kind: string; requirements: string[]; expected?: string; measured?: string; measurements: Measurement[]; details: string[] }

/** Robust statistics of a step's timing samples, in ms. */
export interface StatSummary { count: number; median: number; mad: number; p90: number }

export type VerdictValue = 'ok' | 'regressed' | 'inconclusive';

/** A step's timing against its baseline: regressed only when both statistically and practically slower. */
export interface StepJudgement {
  step: string;
  verdict: VerdictValue;
  reason: string;
  baseline: StatSummary;
  candidate: StatSummary;
  deltaMs: number | null;
  thresholdMs: number | null;
  p: number | null;
}

/** An outcome, steps or check difference from the baseline; 'changed' is information, not a regression. */
export interface VerdictFinding { kind: 'outcome' | 'steps' | 'check'; verdict: 'regressed' | 'changed'; subject: string; message: string; before?: string; after?: string }

/** How a result compares with what is normal for its cell (portal, journey, browser, viewport, location). */
export interface ResultVerdict { verdict: VerdictValue; reason: string; steps: StepJudgement[]; findings: VerdictFinding[] }

/** What the verdict was judged against: earlier results of the same cell. */
export interface ResultBaseline { results: number; since: string | null; steps: Record<string, StatSummary> }

export interface JourneyResult {
  id: string;
  runId: string;
  portal: string;
  environment: string;
  journey: string;
  /** The account's id only; never its username's secret, password or seed. */
  account: string | null;
  browser: { name: BrowserName; engine: string; version: string | null };
  viewport: { name: string; width: number | null; height: number | null };
  startedAt: string;
  durationMs: number | null;
  outcome: Outcome;
  /** Why not run, or the harness fault, in one sentence. */
  reason?: string;
  steps: StepResult[];
  failedStep?: string;
  category?: Category;
  categoryLabel?: string;
  cause?: string;
  action?: string;
  /** The error text the portal showed (role=alert etc.), redacted. */
  errorText?: string;
  /** What the harness saw go wrong (timeout, blocked host…), redacted. */
  errorMessage?: string;
  httpStatus?: number;
  finalUrl?: string;
  retries?: number;
  check?: CheckInfo;
  artifacts: { screenshot?: string; trace?: string };
  labels: Record<string, string>;
  /** Set when a history store was read (portal-probe run records every run). */
  baseline?: ResultBaseline;
  verdict?: ResultVerdict;
  /** In a merged results.json (`portal-probe merge`): the machine's run this result comes from. */
  source?: { runId: string; host: string; shard?: string };
}

/** Reasons of journeys a stopped run (SIGINT/SIGTERM/SIGHUP) did not finish. */
export const INTERRUPTED = {
  midway: 'interrupted: the run was stopped before this journey finished',
  notStarted: 'interrupted: the run was stopped before this journey started',
} as const;

export interface RunSummary { passed: number; degraded: number; failed: number; notRun: number; error: number; total: number }

export interface RunResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  configSource: string;
  labels: Record<string, string>;
  results: JourneyResult[];
  summary: RunSummary;
  exitCode: number;
  /** The machine, and the network location label (`--location`, `location`, default the host name). */
  host: string;
  location: string;
  /** Results whose verdict is "regressed". */
  regressions: number;
  /** The history store this run was judged against and recorded in, or why it could not be. */
  store?: { where: string; recorded: boolean; error?: string };
  /** The signal that stopped the run early (journeys it did not finish are "not run"). */
  interrupted?: 'SIGINT' | 'SIGTERM' | 'SIGHUP';
  /** The config's identity (config/identity.ts): machines running parts of one matrix share it. */
  configHash?: string;
  /** The machine's operating system ("linux 6.1.0 (x64)"). */
  os?: string;
  /** The run group (`--run-group`) the machines of one matrix run share. */
  group?: string;
  /** This machine's share of the matrix (`--shard i/n`), and the shard that runs the checks. */
  shard?: { index: number; total: number; checks: number };
  /** A merged results.json: the machines' runs it was merged from. */
  merged?: { runs: { runId: string; host: string; os: string; location: string; shard: string | null; exitCode: number }[] };
}

export function summarize(results: readonly JourneyResult[]): RunSummary {
  const s: RunSummary = { passed: 0, degraded: 0, failed: 0, notRun: 0, error: 0, total: results.length };
  for (const r of results) {
    if (r.outcome === 'not-run') s.notRun++;
    else s[r.outcome]++;
  }
  return s;
}
