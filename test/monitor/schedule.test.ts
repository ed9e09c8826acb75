/**
 * Schedules as pure code: due times of fixed intervals (anchored, missed ones skipped) and
 * of cron in a time zone across a DST change, the start-up spread, one schedule per
 * journey, maintenance windows (one-off and recurring, boundaries), and the config's
 * cross checks naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, type ProbeConfigInput } from '../../config/schema.ts';
import { configProblems } from '../../config/validate.ts';
import { isHarnessError } from '../../core/errors.ts';
import { inMaintenance, jobsOf, nextDue, spreadOffset } from '../../monitor/schedule.ts';

const base: ProbeConfigInput = {
  portals: [{
    name: 'clinic', environment: 'test', baseUrl: 'https://portal.example.org',
    accounts: [{ id: 'a', role: 'physician', username: 'a', password: 'env:PW' }],
    journeys: [
      { kind: 'login', name: 'login', use: { account: 'a' }, steps: [{ step: 'open', path: '/' }, { step: 'assert', target: { text: 'Hi' } }] },
      { kind: 'login', name: 'second login', use: { account: 'a' }, steps: [{ step: 'open', path: '/' }, { step: 'assert', target: { text: 'Hi' } }] },
      { kind: 'absolute-expiry', name: 'absolute', use: { account: 'a' }, login: 'login', expected: '12h', keepAliveEvery: '5m', probePath: '/' },
    ],
  }],
};
const withMonitor = (monitor: unknown): unknown => ({ ...base, monitor });
const parsed = (monitor: unknown) => configSchema.parse(withMonitor(monitor));

test('every: the first tick within the spread, then on the grid from the start; missed due times are skipped, not caught up', () => {
  const c = parsed({ schedules: [{ every: '5m' }], spread: '30s' });
  const jobs = jobsOf(c, c.monitor!.schedules, c.monitor!.spread);
  assert.deepEqual(jobs.map((j) => j.id), ['clinic/login', 'clinic/second login'], 'login journeys by default; checks must be named');
  const j = jobs[0]!;
  assert.ok(j.offsetMs >= 0 && j.offsetMs < 30_000);
  const t0 = 1_000_000;
  assert.equal(nextDue(j, t0 - 1, t0), t0 + j.offsetMs);
  assert.equal(nextDue(j, t0 + j.offsetMs, t0), t0 + j.offsetMs + 300_000);
  // Asleep for an hour: the next due time is the next on the grid, once.
  assert.equal(nextDue(j, t0 + j.offsetMs + 3_600_000 + 1, t0), t0 + j.offsetMs + 3_900_000);
  assert.equal(spreadOffset('clinic/login', 30_000), j.offsetMs, 'stable across restarts');
  assert.notEqual(spreadOffset('clinic/login', 30_000), spreadOffset('clinic/second login', 30_000));
});

test('cron in a time zone: 03:30 Berlin every day, across the change to summer time', () => {
  const c = parsed({ schedules: [{ cron: '30 3 * * *', timezone: 'Europe/Berlin', journeys: ['absolute'] }], spread: 0 });
  const [j] = jobsOf(c, c.monitor!.schedules, 0);
  assert.equal(j!.id, 'clinic/absolute');
  const before = Date.parse('2026-03-28T12:00:00Z');
  const first = nextDue(j!, before, before);
  assert.equal(new Date(first).toISOString(), '2026-03-29T01:30:00.000Z', 'CEST (UTC+2) from 29 March');
  assert.equal(new Date(nextDue(j!, Date.parse('2026-03-27T12:00:00Z'), before)).toISOString(), '2026-03-28T02:30:00.000Z', 'CET (UTC+1) the day before');
});

test('a journey in two schedules is refused: it would overlap itself', () => {
  const c = parsed({ schedules: [{ every: '5m' }, { every: '1m', journeys: ['login'] }] });
  assert.throws(() => jobsOf(c, c.monitor!.schedules, 0), (e: unknown) => isHarnessError(e) && /monitor\.schedules\[1\].*clinic\/login.*schedules\[0\]/.test(e.message));
});

test('maintenance windows: one-off [from, to), recurring cron + duration', () => {
  const windows = parsed({
    schedules: [{ every: '5m' }],
    maintenance: [
      { portal: 'clinic', from: '2026-12-24T22:00:00Z', to: '2026-12-25T02:00:00Z' },
      { portal: 'clinic', cron: '0 2 * * 0', duration: '1h', timezone: 'UTC' },
    ],
  }).monitor!.maintenance;
  const at = (iso: string): boolean => inMaintenance(windows, 'clinic', Date.parse(iso));
  assert.equal(at('2026-12-24T21:59:59Z'), false);
  assert.equal(at('2026-12-24T22:00:00Z'), true);
  assert.equal(at('2026-12-25T01:59:59Z'), true);
  assert.equal(at('2026-12-25T02:00:00Z'), false);
  // Sundays 02:00–03:00 UTC (2026-12-06 is a Sunday).
  assert.equal(at('2026-12-06T01:59:00Z'), false);
  assert.equal(at('2026-12-06T02:00:00Z'), true);
  assert.equal(at('2026-12-06T02:59:59Z'), true);
  assert.equal(at('2026-12-06T03:00:00Z'), false);
  assert.equal(at('2026-12-07T02:30:00Z'), false, 'Monday');
  assert.equal(inMaintenance(windows, 'other', Date.parse('2026-12-06T02:30:00Z')), false);
});

test('config problems name the field: unknown portal and journey, bad cron, bad time zone, both every and cron', () => {
  const { problems } = configProblems(withMonitor({
    schedules: [
      { portal: 'nope', every: '5m' },
      { journeys: ['logn'], every: '5m' },
      { cron: '61 * * * *' },
      { cron: '0 3 * * *', timezone: 'Mars/Olympus' },
      { every: '5m', cron: '* * * * *' },
    ],
    maintenance: [{ portal: 'clinic', from: '2026-12-25T02:00:00Z', to: '2026-12-24T22:00:00Z' }],
  }));
  const at = (p: string): string | undefined => problems.find((x) => x.path === p)?.message;
  assert.match(at('monitor.schedules[0].portal') ?? '', /no portal of that name.*"clinic"/);
  assert.match(at('monitor.schedules[1].journeys[0]') ?? '', /"logn"/);
  assert.match(at('monitor.schedules[2].cron') ?? '', /does not parse/);
  assert.match(at('monitor.schedules[3].cron') ?? '', /not an IANA time zone/);
  assert.match(at('monitor.schedules[4].every') ?? '', /exactly one of "every" or "cron"/);
  assert.match(at('monitor.maintenance[0].to') ?? '', /must end after/);
});
