/**
 * The monitor's Prometheus metrics: what each recorded tick found (per journey × browser ×
 * viewport cell), what the checks measured, and how the monitor itself is doing (incidents,
 * Slack outbox, skipped ticks, scheduler lag, process).
 *
 * A registry of its own (never prom-client's global one), so two monitors in one process,
 * or tests, never share series. Labels are bounded by the config: portal, journey, browser,
 * viewport, step, location, severity, outcome, and a check measurement's name and unit —
 * never error texts, URLs, account ids or run ids, whose every new value would be a new series.
 * Base units throughout: seconds, bytes, Unix timestamps in seconds.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JourneyResult, Measurement, RunResult, StepResult } from '../core/result.ts';

export interface MonitorMetrics {
  registry: Registry;
  /** After each recorded tick run: per result (journey × browser × viewport) success, duration, step durations; check measurements. */
  observeRun(run: RunResult): void;
  incidentsOpen(bySeverity: { critical: number; degraded: number }): void;
  outbox(depth: number, oldestAgeSeconds: number): void;
  skippedOverlap(portal: string, journey: string): void;
  schedulerLag(seconds: number): void;
  tick(portal: string, journey: string, outcome: 'passed' | 'degraded' | 'failed' | 'unknown'): void;
}

/** Login journeys take seconds; a timeout is tens of seconds; a slow multi-factor flow up to two minutes. */
export const JOURNEY_BUCKETS = [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120];
export const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60];
export const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** The measurements with a metric of their own; every other one goes to `portal_probe_check_measurement`. */
export const IDLE_TIMEOUT = 'idle timeout';
export const CERTIFICATE_DAYS_LEFT = 'certificate days left';

const CELL = ['portal', 'journey', 'browser', 'viewport', 'location'] as const;
type CellLabel = (typeof CELL)[number];
type CellLabels = Record<CellLabel, string>;

/** Seconds per unit of the time units checks measure in. */
const SECONDS_PER: Record<string, number> = { ms: 0.001, s: 1, min: 60, h: 3600, days: 86_400 };

function createInstruments(registry: Registry) {
  const registers = [registry];
  return {
    success: new Gauge({
      name: 'portal_probe_journey_success', registers, labelNames: CELL,
      help: 'Whether the last run of this cell completed the journey: 1 passed or degraded, 0 failed. Not-run and harness-error results leave it as it was.',
    }),
    results: new Counter({
      name: 'portal_probe_results_total', registers, labelNames: [...CELL, 'outcome'],
      help: 'Results recorded per cell, by outcome (passed, degraded, failed, not-run, error).',
    }),
    lastRun: new Gauge({
      name: 'portal_probe_journey_last_run_timestamp_seconds', registers, labelNames: CELL,
      help: 'When the last run of this cell that ran (passed, degraded or failed) finished, as a Unix timestamp in seconds.',
    }),
    duration: new Histogram({
      name: 'portal_probe_journey_duration_seconds', registers, labelNames: CELL, buckets: JOURNEY_BUCKETS,
      help: 'Duration of journeys that completed (passed or degraded), in seconds; a failed one measures time to failure and is left out.',
    }),
    step: new Histogram({
      name: 'portal_probe_step_duration_seconds', registers, labelNames: [...CELL, 'step'], buckets: STEP_BUCKETS,
      help: 'Duration of steps that passed, from Playwright\'s step timing, in seconds.',
    }),
    idleTimeout: new Gauge({
      name: 'portal_probe_idle_timeout_seconds', registers, labelNames: CELL,
      help: 'The idle session timeout the idle-expiry check last measured (the middle of its bracket, or its lower bound when the session outlived the search), in seconds.',
    }),
    idleExpected: new Gauge({
      name: 'portal_probe_idle_timeout_expected_seconds', registers, labelNames: CELL,
      help: 'The idle session timeout the policy (config) expects, in seconds.',
    }),
    certificate: new Gauge({
      name: 'portal_probe_certificate_expiry_timestamp_seconds', registers, labelNames: ['portal', 'location'],
      help: 'When the portal\'s TLS certificate expires, as a Unix timestamp in seconds: the check\'s start plus its whole days left (the earliest the expiry can be).',
    }),
    measurement: new Gauge({
      name: 'portal_probe_check_measurement', registers, labelNames: [...CELL, 'measurement', 'unit'],
      help: 'Any other number a session/security check last measured (e.g. failures to lock, plain HTTP requests), in the unit of its `unit` label (times in seconds).',
    }),
    incidents: new Gauge({
      name: 'portal_probe_incidents_open', registers, labelNames: ['severity'],
      help: 'Incidents open now, by severity (critical, degraded).',
    }),
    outboxDepth: new Gauge({
      name: 'portal_probe_outbox_depth', registers,
      help: 'Slack messages waiting in the outbox to be sent.',
    }),
    outboxAge: new Gauge({
      name: 'portal_probe_outbox_oldest_age_seconds', registers,
      help: 'Age of the oldest message waiting in the outbox, in seconds (0 when it is empty).',
    }),
    skipped: new Counter({
      name: 'portal_probe_runs_skipped_overlap_total', registers, labelNames: ['portal', 'journey'],
      help: 'Ticks skipped because the previous run of the same journey was still under way.',
    }),
    lag: new Histogram({
      name: 'portal_probe_scheduler_lag_seconds', registers, buckets: LAG_BUCKETS,
      help: 'How late a tick started after its scheduled time, in seconds.',
    }),
    ticks: new Counter({
      name: 'portal_probe_ticks_total', registers, labelNames: ['portal', 'journey', 'outcome'],
      help: 'Ticks completed, by the tick\'s state across its cells (passed, degraded, failed, unknown).',
    }),
  };
}
type Instruments = ReturnType<typeof createInstruments>;

const cellOf = (run: RunResult, r: JourneyResult): CellLabels => ({
  portal: r.portal, journey: r.journey, browser: r.browser.name, viewport: r.viewport.name, location: run.location,
});

const ran = (r: JourneyResult): boolean => r.outcome === 'passed' || r.outcome === 'degraded' || r.outcome === 'failed';

/** When the result finished, in seconds since the epoch: its start plus its duration, else the run's end. */
function finishedAtSeconds(run: RunResult, r: JourneyResult): number {
  const start = Date.parse(r.startedAt);
  const end = Number.isFinite(start) && r.durationMs !== null ? start + r.durationMs : Date.parse(run.finishedAt);
  return end / 1000;
}

/** A time measurement in seconds, or undefined when its unit is not a time unit. */
function inSeconds(value: number, unit: string): number | undefined {
  const per = SECONDS_PER[unit];
  return per === undefined ? undefined : value * per;
}

function observeSteps(m: Instruments, cell: CellLabels, steps: readonly StepResult[]): void {
  for (const s of steps) {
    if (s.status === 'passed' && s.durationMs !== null) m.step.observe({ ...cell, step: s.name }, s.durationMs / 1000);
  }
}

function observeIdleTimeout(m: Instruments, cell: CellLabels, x: Measurement): boolean {
  const value = inSeconds(x.value, x.unit);
  if (value === undefined) return false;
  m.idleTimeout.set(cell, value);
  const expected = x.expected === undefined ? undefined : inSeconds(x.expected, x.unit);
  if (expected !== undefined) m.idleExpected.set(cell, expected);
  return true;
}

/** Days left are whole days (floored) when the check ran: the expiry is at least that far from its start. */
function observeCertificate(m: Instruments, cell: CellLabels, r: JourneyResult, x: Measurement): boolean {
  const left = inSeconds(x.value, x.unit);
  const start = Date.parse(r.startedAt);
  if (left === undefined || !Number.isFinite(start)) return false;
  m.certificate.set({ portal: cell.portal, location: cell.location }, start / 1000 + left);
  return true;
}

function observeMeasurements(m: Instruments, cell: CellLabels, r: JourneyResult): void {
  for (const x of r.check?.measurements ?? []) {
    if (!Number.isFinite(x.value)) continue;
    const own = (x.name === IDLE_TIMEOUT && observeIdleTimeout(m, cell, x))
      || (x.name === CERTIFICATE_DAYS_LEFT && observeCertificate(m, cell, r, x));
    if (own) continue;
    // Times in the base unit, as Prometheus wants: seconds, whatever unit the check used.
    const seconds = inSeconds(x.value, x.unit);
    m.measurement.set({ ...cell, measurement: x.name, unit: seconds === undefined ? x.unit : 'seconds' }, seconds ?? x.value);
  }
}

function observeResult(m: Instruments, run: RunResult, r: JourneyResult): void {
  const cell = cellOf(run, r);
  m.results.inc({ ...cell, outcome: r.outcome });
  observeMeasurements(m, cell, r);
  if (!ran(r)) return;
  m.success.set(cell, r.outcome === 'failed' ? 0 : 1);
  m.lastRun.set(cell, finishedAtSeconds(run, r));
  if (r.outcome !== 'failed' && r.durationMs !== null) m.duration.observe(cell, r.durationMs / 1000);
  observeSteps(m, cell, r.steps);
}

/** A fresh registry with the process's default metrics and the monitor's own. */
export function createMetrics(): MonitorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = createInstruments(registry);
  // Present from the first scrape, so "no incidents" reads 0 rather than no data.
  m.incidents.set({ severity: 'critical' }, 0);
  m.incidents.set({ severity: 'degraded' }, 0);
  return {
    registry,
    observeRun: (run) => {
      for (const r of run.results) observeResult(m, run, r);
    },
    incidentsOpen: ({ critical, degraded }) => {
      m.incidents.set({ severity: 'critical' }, critical);
      m.incidents.set({ severity: 'degraded' }, degraded);
    },
    outbox: (depth, oldestAgeSeconds) => {
      m.outboxDepth.set(depth);
      m.outboxAge.set(Math.max(0, oldestAgeSeconds));
    },
    skippedOverlap: (portal, journey) => m.skipped.inc({ portal, journey }),
    schedulerLag: (seconds) => m.lag.observe(Math.max(0, seconds)),
    tick: (portal, journey, outcome) => m.ticks.inc({ portal, journey, outcome }),
  };
}
