/**
 * What the monitor runs and when: each schedule of the config becomes one job per journey
 * (portal × journey), with due times from its cron expression (croner: time zones, DST as
 * Vixie cron does it) or its fixed interval, shifted by a stable start-up spread so twenty
 * journeys do not start in the same second.
 *
 * A journey belongs to one schedule only: two would make it overlap itself.
 */
import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import type { MaintenanceWindow, MonitorSchedule, ProbeConfig } from '../config/schema.ts';
import { HarnessError } from '../core/errors.ts';

export interface Job {
  /** "portal/journey". */
  id: string;
  portal: string;
  journey: string;
  /** The journey's kind: a failing check is not retried at once. */
  kind: 'login' | 'script' | 'check';
  /** Index of the schedule in monitor.schedules, for messages. */
  schedule: number;
  every?: number;
  cron?: Cron;
  /** Added to every due time: the start-up spread. */
  offsetMs: number;
}

/** A stable number in [0, range) for a job: the same journey keeps its place in the spread across restarts. */
export function spreadOffset(id: string, range: number): number {
  if (range <= 0) return 0;
  const h = createHash('sha256').update(id).digest().readUInt32BE(0);
  return h % Math.floor(range);
}

function journeysOf(config: ProbeConfig, s: MonitorSchedule): { portal: string; journey: string; kind: Job['kind'] }[] {
  return config.portals
    .filter((p) => s.portal === undefined || p.name === s.portal)
    .flatMap((p) => p.journeys
      .filter((j) => (s.journeys ? s.journeys.includes(j.name) : j.kind === 'login' || j.kind === 'script'))
      .map((j) => ({ portal: p.name, journey: j.name, kind: j.kind === 'login' || j.kind === 'script' ? j.kind : 'check' as const })));
}

export function jobsOf(config: ProbeConfig, schedules: readonly MonitorSchedule[], spreadMs: number): Job[] {
  const jobs = new Map<string, Job>();
  schedules.forEach((s, i) => {
    const found = journeysOf(config, s);
    if (found.length === 0) throw new HarnessError('CONFIG_INVALID', `monitor.schedules[${i}] selects no journey: name journeys, or give its portal a login or script journey.`);
    for (const { portal, journey, kind } of found) {
      const id = `${portal}/${journey}`;
      const earlier = jobs.get(id);
      if (earlier) throw new HarnessError('CONFIG_INVALID', `monitor.schedules[${i}] schedules journey ${id} again (monitor.schedules[${earlier.schedule}] has it): a journey belongs to one schedule, or it would overlap itself.`);
      const range = s.every !== undefined ? Math.min(spreadMs, s.every) : spreadMs;
      jobs.set(id, {
        id, portal, journey, kind, schedule: i, offsetMs: spreadOffset(id, range),
        ...(s.every !== undefined ? { every: s.every } : {}),
        ...(s.cron !== undefined ? { cron: new Cron(s.cron, { paused: true, timezone: s.timezone ?? 'UTC' }) } : {}),
      });
    }
  });
  return [...jobs.values()];
}

/**
 * The first due time after `after` (ms). Fixed intervals count from `anchor` (the monitor's
 * start), so a late tick does not shift the ones after it; missed due times are skipped,
 * never queued.
 */
export function nextDue(job: Job, after: number, anchor: number): number {
  if (job.every !== undefined) {
    const first = anchor + job.offsetMs;
    if (after < first) return first;
    return first + (Math.floor((after - first) / job.every) + 1) * job.every;
  }
  const next = job.cron?.nextRun(new Date(after - job.offsetMs));
  if (!next) return Infinity;
  return next.getTime() + job.offsetMs;
}

/** Whether `portal` is inside one of its maintenance windows at `at`. */
export function inMaintenance(windows: readonly MaintenanceWindow[], portal: string, at: number): boolean {
  return windows.some((w) => {
    if (w.portal !== portal) return false;
    if (w.from !== undefined && w.to !== undefined) return at >= Date.parse(w.from) && at < Date.parse(w.to);
    if (w.cron === undefined || w.duration === undefined) return false;
    // The last window to begin: the first start after at − duration (croner: strictly after), if it is not after `at`.
    const start = new Cron(w.cron, { paused: true, timezone: w.timezone ?? 'UTC' }).nextRun(new Date(at - w.duration));
    return start !== null && start.getTime() <= at;
  });
}
