/**
 * The monitor: schedules ticks, runs each as a recorded run (the same run `portal-probe run`
 * does, handed in as `runTick` by the CLI), retries a first failure at once (failing cells
 * only, its own recorded run, linked by the `monitorTick` and `retryOf` labels), feeds the
 * incident rules, and queues their messages in the store's outbox in the same transaction
 * as the incident state.
 *
 * Overlap: a journey is idle, running, or waiting for a free slot (concurrency). A tick that
 * comes while it is running or already waiting is skipped and counted, never queued. Due
 * times the process missed (a suspended VM, a clock step) are skipped, not caught up.
 *
 * Stop: `stop()` ends scheduling; the caller interrupts the runs under way (the same
 * interruption `portal-probe run` honours) and awaits `stopped()`.
 */
import { randomBytes } from 'node:crypto';
import type { MonitorConfig, ProbeConfig } from '../config/schema.ts';
import type { RunResult } from '../core/result.ts';
import type { HistoryStore } from '../store/index.ts';
import { endMaintenance, initialState, observe, remind, tickState } from '../alerting/incidents.ts';
import { outboxRows, type OutboxLog, type Route } from '../alerting/outbox.ts';
import { keyString, type AlertSettings, type IncidentKey, type KeyObservation, type KeyState, type Notice, type TickState } from '../alerting/types.ts';
import { inMaintenance, jobsOf, nextDue, type Job } from './schedule.ts';
import { afterRetry, observationsOf } from './observe.ts';
import type { MonitorMetrics } from './metrics.ts';

export interface TickRequest {
  portal: string;
  journey: string;
  /** Only these cells ("chromium/desktop"): the retry of a failing tick. */
  cells?: string[];
  labels: Record<string, string>;
}

export interface MonitorDeps {
  config: ProbeConfig;
  monitor: MonitorConfig;
  store: HistoryStore;
  location: string;
  runTick(req: TickRequest): Promise<RunResult>;
  routes: readonly Route[];
  log: OutboxLog;
  metrics?: MonitorMetrics;
  /** Called after messages were queued (the outbox sender's wake-up). */
  queued?: () => void;
  /** Called after each tick is processed (tests, the once-mode's progress). */
  onTick?: (t: TickReport) => void;
}

export interface TickReport { job: string; tickId: string; dueAt: number; runs: string[]; state: TickState; notices: Notice['kind'][]; lagMs: number | null }

/** How often reminders and ended maintenance windows are looked at between ticks. */
const HOUSEKEEPING_MS = 15_000;

export function alertSettings(m: MonitorConfig): AlertSettings {
  return {
    failAfter: m.failAfter, degradedAfter: m.degradedAfter, recoverAfter: m.recoverAfter, remindEveryMs: m.remindEvery,
    maxReminders: m.maxReminders, flapWindow: m.flapping.window, flapStart: m.flapping.start, flapStop: m.flapping.stop,
  };
}

interface JobState { job: Job; running: boolean; waiting: number | undefined; nextAt: number; skipped: number }

export class Monitor {
  private readonly jobs: JobState[];
  private readonly states = new Map<string, KeyState>();
  private readonly settings: AlertSettings;
  private timer: NodeJS.Timeout | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private stopping = false;
  private active = 0;
  private readonly underWay = new Set<Promise<void>>();
  private anchor = Date.now();
  private started = false;
  /** Serializes writes of incident state (ticks of different journeys may finish together). */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly d: MonitorDeps) {
    this.settings = alertSettings(d.monitor);
    this.jobs = jobsOf(d.config, d.monitor.schedules, d.monitor.spread).map((job) => ({ job, running: false, waiting: undefined, nextAt: Infinity, skipped: 0 }));
  }

  get jobIds(): string[] {
    return this.jobs.map((j) => j.job.id);
  }

  /** Reads the incident state the store kept: a restart neither reopens nor forgets an incident. */
  async load(): Promise<void> {
    const ours = new Set(this.jobs.map(({ job }) => keyString({ portal: job.portal, journey: job.journey, location: this.d.location })));
    for (const row of await this.d.store.alertStates()) {
      const state = JSON.parse(row.state) as KeyState;
      // Only this monitor's keys: another location's (a shared store) or a journey no longer
      // scheduled is left as it is, neither reminded nor counted.
      if (ours.has(keyString(state.key))) this.states.set(row.key, state);
    }
    this.publishIncidents();
  }

  /** Starts the schedules. */
  start(): void {
    if (this.stopping) return;
    this.started = true;
    this.anchor = Date.now();
    for (const j of this.jobs) j.nextAt = nextDue(j.job, this.anchor - 1, this.anchor);
    this.arm();
    this.housekeeping = setInterval(() => {
      this.enqueue(() => this.sweep(Date.now())).catch((e: unknown) => this.d.log.error({ err: e instanceof Error ? e.message : String(e) }, 'reminders could not be saved; trying again later'));
    }, HOUSEKEEPING_MS);
    this.housekeeping.unref();
  }

  /** Every job once, `concurrency` at a time, then resolves (the `--once` mode). */
  async once(): Promise<void> {
    this.started = true;
    const now = Date.now();
    for (const j of this.jobs) this.due(j, now);
    await this.stopped();
    // Reminders and ended maintenance windows, as the daemon's sweep would: a cron-driven
    // `--once` gets them too.
    if (!this.stopping) await this.enqueue(() => this.sweep(Date.now()));
    await this.chain;
  }

  /** Whether the schedules are running, for /readyz. */
  get running(): boolean {
    return this.started && !this.stopping;
  }

  stop(): void {
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.housekeeping);
  }

  /** Resolves once no tick is under way and every incident state is saved. */
  async stopped(): Promise<void> {
    while (this.underWay.size > 0) await Promise.all([...this.underWay]);
    await this.chain;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopping) return;
    const next = Math.min(...this.jobs.map((j) => j.nextAt));
    if (next === Infinity) return;
    // Timers fire late, never early; an upper bound keeps a suspended machine from sleeping past many due times unnoticed.
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(0, next - Date.now()), 60_000));
  }

  private fire(): void {
    const now = Date.now();
    for (const j of this.jobs) {
      if (j.nextAt > now) continue;
      this.due(j, j.nextAt);
      j.nextAt = nextDue(j.job, now, this.anchor);
    }
    this.arm();
  }

  private due(j: JobState, dueAt: number): void {
    if (this.stopping) return;
    if (j.running || j.waiting !== undefined) {
      j.skipped++;
      this.d.metrics?.skippedOverlap(j.job.portal, j.job.journey);
      this.d.log.warn({ journey: j.job.id, skipped: j.skipped }, 'tick skipped: the previous run of this journey is still under way');
      return;
    }
    j.waiting = dueAt;
    this.pump();
  }

  /** Starts waiting jobs while slots are free, the longest waiting first. */
  private pump(): void {
    while (!this.stopping && this.active < this.d.monitor.concurrency) {
      const next = this.jobs.filter((j) => j.waiting !== undefined).sort((a, b) => (a.waiting ?? 0) - (b.waiting ?? 0))[0];
      if (!next || next.waiting === undefined) return;
      const dueAt = next.waiting;
      next.waiting = undefined;
      next.running = true;
      this.active++;
      const p = this.tick(next.job, dueAt)
        .catch((e: unknown) => this.d.log.error({ journey: next.job.id, err: e instanceof Error ? e.message : String(e) }, 'tick failed in the harness'))
        .finally(() => {
          next.running = false;
          this.active--;
          this.underWay.delete(p);
          this.pump();
        });
      this.underWay.add(p);
    }
  }

  private async tick(job: Job, dueAt: number): Promise<void> {
    const tickId = `${new Date(dueAt).toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
    const first = await this.d.runTick({ portal: job.portal, journey: job.journey, labels: { monitorTick: tickId } });
    this.d.metrics?.observeRun(first);
    const lagMs = lagOf(first, dueAt);
    if (lagMs !== null) this.d.metrics?.schedulerLag(lagMs / 1000);
    const runs = [first.runId];
    let obs = this.observationOf(first, job);
    let interrupted = first.interrupted !== undefined;
    // A failure is retried at once, failing cells only, before it counts (a fast retry counts by
    // its last attempt). Checks are not: a long check would hold its slot twice as long, and a
    // lockout or single-use check would act on the account again.
    if (this.d.monitor.retryOnFailure && !this.stopping && !interrupted && job.kind !== 'check' && tickState(obs) === 'failed') {
      const failing = obs.cells.filter((c) => c.outcome === 'failed').map((c) => c.cell);
      try {
        const retry = await this.d.runTick({ portal: job.portal, journey: job.journey, cells: failing, labels: { monitorTick: tickId, retryOf: first.runId } });
        this.d.metrics?.observeRun(retry);
        runs.push(retry.runId);
        interrupted ||= retry.interrupted !== undefined;
        obs = afterRetry(obs, this.observationOf(retry, job));
      } catch (e) {
        // The first run's failure stands.
        this.d.log.error({ journey: job.id, err: e instanceof Error ? e.message : String(e) }, 'the retry failed in the harness: the tick counts as the first run saw it');
      }
    }
    // A tick a stop cut short is unknown: it changes no incident.
    const state = interrupted ? 'unknown' : tickState(obs);
    this.d.metrics?.tick(job.portal, job.journey, state);
    const notices = interrupted ? [] : await this.enqueue(() => this.apply(obs));
    this.d.onTick?.({ job: job.id, tickId, dueAt, runs, state, notices: notices.map((n) => n.kind), lagMs });
  }

  private observationOf(run: RunResult, job: Job): KeyObservation {
    return observationsOf(run).find((o) => o.key.portal === job.portal && o.key.journey === job.journey)
      ?? { key: { portal: job.portal, journey: job.journey, location: run.location }, runId: run.runId, at: Date.parse(run.finishedAt), cells: [] };
  }

  /** Runs state changes one after another: each reads the state the one before saved. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.then(() => undefined, () => undefined);
    return p;
  }

  private async apply(obs: KeyObservation): Promise<Notice[]> {
    const id = keyString(obs.key);
    const maintained = inMaintenance(this.d.monitor.maintenance, obs.key.portal, obs.at);
    const { state, notices } = observe(this.states.get(id) ?? initialState(obs.key), obs, this.settings, maintained);
    await this.save([[id, state]], notices, obs.at);
    return notices;
  }

  /** Reminders due, and maintenance windows that ended, for every key. */
  private async sweep(now: number): Promise<void> {
    const changed: [string, KeyState][] = [];
    const notices: Notice[] = [];
    for (const [id, s] of this.states) {
      let state = s;
      const out: Notice[] = [];
      const maintained = inMaintenance(this.d.monitor.maintenance, state.key.portal, now);
      if (state.maintenance && !maintained) {
        const r = endMaintenance(state, now);
        state = r.state;
        out.push(...r.notices);
      }
      const r = remind(state, now, this.settings, maintained);
      out.push(...r.notices);
      if (out.length > 0 || JSON.stringify(r.state) !== JSON.stringify(s)) {
        changed.push([id, r.state]);
        notices.push(...out);
      }
    }
    if (changed.length > 0) await this.save(changed, notices, now);
  }

  private async save(changed: [string, KeyState][], notices: Notice[], at: number): Promise<void> {
    await this.d.store.saveAlerts(changed.map(([key, s]) => ({ key, state: JSON.stringify(s) })), outboxRows(notices, this.d.routes), at);
    for (const [key, s] of changed) this.states.set(key, s);
    this.publishIncidents();
    if (notices.length > 0) {
      for (const n of notices) this.d.log.info({ incident: n.incidentId, kind: n.kind, severity: n.severity, failing: n.failing }, `incident ${n.kind}: ${n.key.portal} › ${n.key.journey} (${n.key.location})`);
      this.d.queued?.();
    }
  }

  private publishIncidents(): void {
    let critical = 0;
    let degraded = 0;
    for (const s of this.states.values()) {
      if (s.critical) critical++;
      if (s.degraded) degraded++;
    }
    this.d.metrics?.incidentsOpen({ critical, degraded });
  }

  /** Open incidents, for the CLI's summary. */
  openIncidents(): { key: IncidentKey; severity: string; since: number; cells: string[] }[] {
    return [...this.states.values()].flatMap((s) => [s.critical, s.degraded].filter((i) => i !== undefined).map((i) => ({ key: s.key, severity: i.severity, since: i.since, cells: i.cells })));
  }
}

/** From the due time to the first step of the tick's first journey to start. */
function lagOf(run: RunResult, dueAt: number): number | null {
  const starts = run.results.filter((r) => r.outcome !== 'not-run').map((r) => Date.parse(r.startedAt)).filter((t) => Number.isFinite(t));
  return starts.length ? Math.max(0, Math.min(...starts) - dueAt) : null;
}
