/**
 * The monitor's metrics, scraped the way Prometheus scrapes them: hand-built runs (passed,
 * failed, not run, harness error, idle-expiry and headers checks) go through observeRun,
 * the monitor's own numbers through its methods; /metrics is fetched over HTTP from the
 * health server and read back with a real text-format parser. Values, histogram buckets,
 * counters and label sets are asserted, and that no error text, URL or account id becomes
 * a label. The health server: /healthz, /readyz (ready, not ready, a failing check),
 * 404, 405, loopback by default, and close() not held up by a keep-alive connection.
 * The Grafana example dashboard names only metrics the monitor exports.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parse from 'parse-prometheus-text-format';
import { createMetrics, type MonitorMetrics } from '../../monitor/metrics.ts';
import { startHealthServer, type HealthServer } from '../../monitor/health-server.ts';
import { summarize, type JourneyResult, type RunResult, type StepResult } from '../../core/result.ts';

type Family = parse.Family;
type Labels = parse.Labels;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOCATION = 'dmz-1';
const T1 = '2026-11-02T08:00:00.000Z';
const T2 = '2026-11-02T08:05:00.000Z';
const ERROR_TEXT = 'Invalid username or password. Please try again.';
const ERROR_MESSAGE = 'locator.click: Timeout 15000ms exceeded waiting for getByRole(\'button\', { name: \'Sign in\' })';
const FINAL_URL = 'https://portal.example-health.org/login?next=%2Fdashboard';
const ACCOUNT = 'acct-monitor-7';
const NOT_RUN_REASON = 'webkit is not installed on this probe (run portal-probe setup)';

type Cell = 'chromium/desktop' | 'firefox/mobile' | 'webkit/desktop';
const BROWSERS = {
  'chromium/desktop': { browser: { name: 'chromium', engine: 'Blink', version: '131.0.6778.33' }, viewport: { name: 'desktop', width: 1366, height: 768 } },
  'firefox/mobile': { browser: { name: 'firefox', engine: 'Gecko', version: '132.0' }, viewport: { name: 'mobile', width: 390, height: 844 } },
  'webkit/desktop': { browser: { name: 'webkit', engine: 'WebKit', version: null }, viewport: { name: 'desktop', width: 1366, height: 768 } },
} as const satisfies Record<Cell, Pick<JourneyResult, 'browser' | 'viewport'>>;

const step = (name: string, durationMs: number | null, status: StepResult['status'] = 'passed'): StepResult => ({ name, status, durationMs });

function result(runId: string, cell: Cell, over: Partial<JourneyResult>): JourneyResult {
  return {
    id: `${runId}:${over.journey ?? 'login'}:${cell}`, runId, portal: 'mercy-health', environment: 'production', journey: 'login',
    account: ACCOUNT, ...BROWSERS[cell], startedAt: T1, durationMs: null, outcome: 'passed', steps: [], artifacts: {}, labels: { vendorVersion: '2026.3' },
    ...over,
  };
}

function run(runId: string, startedAt: string, results: JourneyResult[]): RunResult {
  const summary = summarize(results);
  return {
    runId, startedAt, finishedAt: new Date(Date.parse(startedAt) + 60_000).toISOString(), configSource: 'portal-probe.config.ts', labels: {},
    results, summary, exitCode: summary.failed > 0 ? 1 : 0, host: 'probe-01', location: LOCATION, regressions: 0,
  };
}

/** The first tick: one login passed, one failed, one not run, one harness error; an idle-expiry and a headers check. */
function firstRun(): RunResult {
  const id = 'run-1';
  return run(id, T1, [
    result(id, 'chromium/desktop', { durationMs: 4200, steps: [step('open login page', 800), step('sign in', 2100), step('dashboard', 1300)] }),
    result(id, 'firefox/mobile', {
      durationMs: 17_500, outcome: 'failed', failedStep: 'sign in', category: 'authentication', categoryLabel: 'Authentication',
      errorText: ERROR_TEXT, errorMessage: ERROR_MESSAGE, finalUrl: FINAL_URL, httpStatus: 200,
      steps: [step('open login page', 900), step('sign in', 15_000, 'failed'), step('dashboard', null, 'not-reached')],
      artifacts: { screenshot: '.portal-probe/artifacts/run-1/login-firefox-mobile.png' },
    }),
    result(id, 'webkit/desktop', { outcome: 'not-run', reason: NOT_RUN_REASON, account: null, steps: [step('open login page', null, 'not-reached')] }),
    result(id, 'chromium/desktop', { journey: 'session lookup', outcome: 'error', reason: 'the account pool is empty', errorMessage: ERROR_MESSAGE }),
    result(id, 'chromium/desktop', {
      journey: 'idle expiry', startedAt: '2026-11-02T08:00:05.000Z', durationMs: 1_250_000, outcome: 'passed',
      steps: [step('sign in', 2500), step('measure idle timeout', 1_240_000)],
      check: {
        kind: 'idle-expiry', requirements: ['HIPAA 164.312(a)(2)(iii)'], expected: '10 min ± 10 s', measured: '10 min 5 s (between 10 min and 10 min 10 s)', details: [],
        measurements: [{ name: 'idle timeout', value: 605, unit: 's', expected: 600, lo: 600, hi: 610 }],
      },
    }),
    result(id, 'chromium/desktop', {
      journey: 'headers', startedAt: '2026-11-02T08:00:10.000Z', durationMs: 3100, outcome: 'degraded',
      steps: [step('open login page', 700), step('sign in', 1900)],
      check: {
        kind: 'transport', requirements: ['HIPAA 164.312(e)(1)'], measured: 'HTTPS only; certificate expires in 45 day(s)', details: [],
        measurements: [
          { name: 'plain HTTP requests', value: 0, unit: 'count', expected: 0 },
          { name: 'HSTS max-age', value: 2, unit: 'days' },
          { name: 'certificate days left', value: 45, unit: 'days', atLeast: 30 },
          { name: 'certificate trusted', value: 1, unit: 'bool' },
        ],
      },
    }),
  ]);
}

/** The next tick: the chromium login passed again, slower. */
function secondRun(): RunResult {
  const id = 'run-2';
  return run(id, T2, [result(id, 'chromium/desktop', { startedAt: T2, durationMs: 6000, steps: [step('open login page', 1000), step('sign in', 3500), step('dashboard', 1500)] })]);
}

let metrics: MonitorMetrics;
let server: HealthServer;
let families: Family[];
/** The same scrape with histograms read as their raw _bucket/_sum/_count samples (see samplesOf). */
let raw: Family[];
let readiness: { ok: boolean; reason?: string } | Error = { ok: true };

before(async () => {
  metrics = createMetrics();
  metrics.observeRun(firstRun());
  metrics.observeRun(secondRun());
  metrics.incidentsOpen({ critical: 2, degraded: 1 });
  metrics.outbox(3, 42.5);
  metrics.skippedOverlap('mercy-health', 'idle expiry');
  metrics.skippedOverlap('mercy-health', 'idle expiry');
  metrics.schedulerLag(0.2);
  metrics.schedulerLag(3);
  metrics.tick('mercy-health', 'login', 'failed');
  metrics.tick('mercy-health', 'login', 'passed');
  metrics.tick('mercy-health', 'login', 'passed');
  metrics.tick('mercy-health', 'session lookup', 'unknown');
  server = await startHealthServer({
    port: 0, metrics,
    ready: async () => {
      if (readiness instanceof Error) throw readiness;
      return readiness;
    },
  });
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), metrics.registry.contentType);
  const text = await res.text();
  families = parse(text);
  raw = samplesOf(text);
});
after(() => server.close());

/**
 * parse-prometheus-text-format 1.1.1 folds every series of a labelled histogram into one,
 * losing its labels, _sum and _count (yunyu/parse-prometheus-text-format#13, fix #8 never
 * merged); unlabelled histograms, counters and gauges it reads right. Typed untyped, a
 * histogram's lines are plain samples: `x_bucket{…,le}`, `x_sum{…}`, `x_count{…}`, each a family.
 */
function samplesOf(text: string): Family[] {
  return parse(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
}

/**
 * The samples named `name` (a histogram's `_bucket`, `_sum` or `_count`). prom-client writes
 * each series' buckets, sum and count together, so one name recurs as several raw families.
 */
function rawSamples(name: string): parse.Sample[] {
  return raw.flatMap((f) => (f.name === name && f.type === 'UNTYPED' ? f.metrics : []));
}

function family(name: string): Family {
  const f = families.find((x) => x.name === name);
  assert.ok(f, `${name} is exported`);
  return f;
}

const matches = (labels: Labels | undefined, want: Labels): boolean => Object.entries(want).every(([k, v]) => labels?.[k] === v);

/** The one sample of a counter or gauge family whose labels include `want`. */
function value(name: string, want: Labels = {}): number | undefined {
  const f = family(name);
  assert.ok(f.type !== 'HISTOGRAM' && f.type !== 'SUMMARY', `${name} is a counter or gauge`);
  const found = f.metrics.filter((m) => matches(m.labels, want));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(want)} names one series, not ${found.length}`);
  return found[0] === undefined ? undefined : Number(found[0].value);
}

/** One histogram series whose labels include `want`: its buckets by `le`, sum and count. */
function histogram(name: string, want: Labels = {}): parse.HistogramSample {
  assert.equal(family(name).type, 'HISTOGRAM', `${name} is a histogram`);
  assert.ok(rawSamples(`${name}_count`).length > 0, `${name} has series`);
  const counts = rawSamples(`${name}_count`).filter((m) => matches(m.labels, want));
  assert.equal(counts.length, 1, `${name} ${JSON.stringify(want)} names one series`);
  const labels = counts[0]?.labels ?? {};
  const same = (m: parse.Sample): boolean => matches(m.labels, labels) && Object.keys(m.labels ?? {}).filter((k) => k !== 'le').length === Object.keys(labels).length;
  const buckets = Object.fromEntries(rawSamples(`${name}_bucket`).filter(same).map((m) => [m.labels?.le ?? '', m.value]));
  const sum = rawSamples(`${name}_sum`).find(same)?.value ?? 'NaN';
  return { buckets, count: counts[0]?.value ?? 'NaN', sum, labels };
}

/** The label sets of a family's series: a histogram's from its `_count` samples. */
function seriesLabels(f: Family): Labels[] {
  return f.type === 'HISTOGRAM' ? rawSamples(`${f.name}_count`).map((m) => m.labels ?? {}) : f.metrics.map((m) => m.labels ?? {});
}

const cell = (c: Cell, journey = 'login'): Labels => {
  const [browser = '', viewport = ''] = c.split('/');
  return { portal: 'mercy-health', journey, browser, viewport, location: LOCATION };
};
const seconds = (iso: string, plusMs = 0): number => (Date.parse(iso) + plusMs) / 1000;

test('journey success: 1 for passed and degraded, 0 for failed; not-run and error results leave no series', () => {
  assert.equal(value('portal_probe_journey_success', cell('chromium/desktop')), 1);
  assert.equal(value('portal_probe_journey_success', cell('firefox/mobile')), 0);
  assert.equal(value('portal_probe_journey_success', cell('chromium/desktop', 'headers')), 1);
  assert.equal(value('portal_probe_journey_success', cell('webkit/desktop')), undefined);
  assert.equal(value('portal_probe_journey_success', cell('chromium/desktop', 'session lookup')), undefined);
});

test('results are counted per cell and outcome, not-run and error included', () => {
  assert.equal(value('portal_probe_results_total', { ...cell('chromium/desktop'), outcome: 'passed' }), 2);
  assert.equal(value('portal_probe_results_total', { ...cell('firefox/mobile'), outcome: 'failed' }), 1);
  assert.equal(value('portal_probe_results_total', { ...cell('webkit/desktop'), outcome: 'not-run' }), 1);
  assert.equal(value('portal_probe_results_total', { ...cell('chromium/desktop', 'session lookup'), outcome: 'error' }), 1);
  assert.equal(value('portal_probe_results_total', { ...cell('chromium/desktop', 'headers'), outcome: 'degraded' }), 1);
});

test('last run: when the cell\'s latest run that ran finished', () => {
  assert.equal(value('portal_probe_journey_last_run_timestamp_seconds', cell('chromium/desktop')), seconds(T2, 6000));
  assert.equal(value('portal_probe_journey_last_run_timestamp_seconds', cell('firefox/mobile')), seconds(T1, 17_500));
  assert.equal(value('portal_probe_journey_last_run_timestamp_seconds', cell('webkit/desktop')), undefined);
});

test('journey duration: completed runs in seconds, in buckets; a failed run is left out', () => {
  const h = histogram('portal_probe_journey_duration_seconds', cell('chromium/desktop'));
  assert.equal(Number(h.count), 2);
  assert.ok(Math.abs(Number(h.sum) - 10.2) < 1e-9, `sum ${h.sum}`);
  assert.equal(Number(h.buckets['3']), 0);
  assert.equal(Number(h.buckets['5']), 1, '4.2 s is at most 5 s');
  assert.equal(Number(h.buckets['8']), 2);
  assert.equal(Number(h.buckets['+Inf']), 2);
  assert.deepEqual(Object.keys(h.buckets).map((le) => (le === '+Inf' ? Infinity : Number(le))).sort((a, b) => a - b), [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90, 120, Infinity]);
  assert.ok(!seriesLabels(family('portal_probe_journey_duration_seconds')).some((l) => matches(l, cell('firefox/mobile'))), 'no duration for the failed run');
});

test('step duration: passed steps per step name; failed and not-reached steps are left out', () => {
  const signIn = histogram('portal_probe_step_duration_seconds', { ...cell('chromium/desktop'), step: 'sign in' });
  assert.equal(Number(signIn.count), 2);
  assert.ok(Math.abs(Number(signIn.sum) - 5.6) < 1e-9, `sum ${signIn.sum}`);
  assert.equal(Number(signIn.buckets['3']), 1);
  assert.equal(Number(signIn.buckets['5']), 2);
  const open = histogram('portal_probe_step_duration_seconds', { ...cell('firefox/mobile'), step: 'open login page' });
  assert.equal(Number(open.count), 1);
  assert.equal(Number(open.buckets['1']), 1);
  const firefoxSteps = seriesLabels(family('portal_probe_step_duration_seconds')).filter((l) => matches(l, cell('firefox/mobile'))).map((l) => l.step);
  assert.deepEqual(firefoxSteps, ['open login page']);
});

test('checks: idle timeout and its policy in seconds, certificate expiry as a timestamp, the rest generic', () => {
  const idle = cell('chromium/desktop', 'idle expiry');
  assert.equal(value('portal_probe_idle_timeout_seconds', idle), 605);
  assert.equal(value('portal_probe_idle_timeout_expected_seconds', idle), 600);
  assert.equal(value('portal_probe_certificate_expiry_timestamp_seconds', { portal: 'mercy-health', location: LOCATION }), seconds('2026-11-02T08:00:10.000Z') + 45 * 86_400);
  const headers = cell('chromium/desktop', 'headers');
  assert.equal(value('portal_probe_check_measurement', { ...headers, measurement: 'plain HTTP requests', unit: 'count' }), 0);
  assert.equal(value('portal_probe_check_measurement', { ...headers, measurement: 'certificate trusted', unit: 'bool' }), 1);
  assert.equal(value('portal_probe_check_measurement', { ...headers, measurement: 'HSTS max-age', unit: 'seconds' }), 2 * 86_400, 'a time in seconds, the base unit');
  const generic = seriesLabels(family('portal_probe_check_measurement')).map((l) => l.measurement);
  assert.deepEqual(generic.sort(), ['HSTS max-age', 'certificate trusted', 'plain HTTP requests'], 'idle timeout and certificate days have their own metrics');
});

test('the monitor\'s own numbers: incidents, outbox, skipped overlaps, scheduler lag, ticks', () => {
  assert.equal(value('portal_probe_incidents_open', { severity: 'critical' }), 2);
  assert.equal(value('portal_probe_incidents_open', { severity: 'degraded' }), 1);
  assert.equal(value('portal_probe_outbox_depth'), 3);
  assert.equal(value('portal_probe_outbox_oldest_age_seconds'), 42.5);
  assert.equal(value('portal_probe_runs_skipped_overlap_total', { portal: 'mercy-health', journey: 'idle expiry' }), 2);
  const lag = histogram('portal_probe_scheduler_lag_seconds');
  assert.equal(Number(lag.count), 2);
  assert.ok(Math.abs(Number(lag.sum) - 3.2) < 1e-9, `sum ${lag.sum}`);
  assert.equal(Number(lag.buckets['0.25']), 1);
  assert.equal(Number(lag.buckets['5']), 2);
  assert.equal(value('portal_probe_ticks_total', { portal: 'mercy-health', journey: 'login', outcome: 'passed' }), 2);
  assert.equal(value('portal_probe_ticks_total', { portal: 'mercy-health', journey: 'login', outcome: 'failed' }), 1);
  assert.equal(value('portal_probe_ticks_total', { portal: 'mercy-health', journey: 'session lookup', outcome: 'unknown' }), 1);
  assert.ok((value('process_resident_memory_bytes') ?? 0) > 0, 'default process metrics are collected');
});

test('a fresh monitor reports no incidents as 0, not as no data', async () => {
  const fresh = parse(await createMetrics().registry.metrics());
  const incidents = fresh.find((f) => f.name === 'portal_probe_incidents_open');
  assert.ok(incidents?.type === 'GAUGE');
  assert.deepEqual(incidents.metrics.map((m) => [m.labels?.severity, m.value]), [['critical', '0'], ['degraded', '0']]);
});

const LABEL_SETS: Record<string, string[]> = {
  portal_probe_journey_success: ['browser', 'journey', 'location', 'portal', 'viewport'],
  portal_probe_results_total: ['browser', 'journey', 'location', 'outcome', 'portal', 'viewport'],
  portal_probe_journey_last_run_timestamp_seconds: ['browser', 'journey', 'location', 'portal', 'viewport'],
  portal_probe_journey_duration_seconds: ['browser', 'journey', 'location', 'portal', 'viewport'],
  portal_probe_step_duration_seconds: ['browser', 'journey', 'location', 'portal', 'step', 'viewport'],
  portal_probe_idle_timeout_seconds: ['browser', 'journey', 'location', 'portal', 'viewport'],
  portal_probe_idle_timeout_expected_seconds: ['browser', 'journey', 'location', 'portal', 'viewport'],
  portal_probe_certificate_expiry_timestamp_seconds: ['location', 'portal'],
  portal_probe_check_measurement: ['browser', 'journey', 'location', 'measurement', 'portal', 'unit', 'viewport'],
  portal_probe_incidents_open: ['severity'],
  portal_probe_outbox_depth: [],
  portal_probe_outbox_oldest_age_seconds: [],
  portal_probe_runs_skipped_overlap_total: ['journey', 'portal'],
  portal_probe_scheduler_lag_seconds: [],
  portal_probe_ticks_total: ['journey', 'outcome', 'portal'],
};

test('labels are bounded: each family has exactly its label names; no error text, URL, account or run id is a label value', () => {
  const ours = families.filter((f) => f.name.startsWith('portal_probe_'));
  assert.deepEqual(ours.map((f) => f.name).sort(), Object.keys(LABEL_SETS).sort(), 'the exported portal_probe_ families');
  const forbidden = [ERROR_TEXT, ERROR_MESSAGE, FINAL_URL, ACCOUNT, NOT_RUN_REASON, 'run-1', 'run-2', 'the account pool is empty', '2026.3'];
  for (const f of ours) {
    assert.ok(f.help.length > 20, `${f.name} has a help text`);
    const series = seriesLabels(f);
    assert.ok(series.length > 0, `${f.name} has samples in this test`);
    for (const labels of series) {
      assert.deepEqual(Object.keys(labels).sort(), LABEL_SETS[f.name], `${f.name}'s label names`);
      for (const v of Object.values(labels)) {
        assert.ok(!forbidden.some((x) => v.includes(x)) && !v.includes('://') && !v.includes('/'), `${f.name} label value "${v}" is bounded`);
        assert.ok(v.length <= 40, `${f.name} label value "${v}" is short`);
      }
    }
  }
});

const get = async (p: string, init?: RequestInit): Promise<{ status: number; body: string; allow: string | null }> => {
  const res = await fetch(`${server.url}${p}`, init);
  return { status: res.status, body: await res.text(), allow: res.headers.get('allow') };
};

test('health server: loopback by default; /healthz alive; /readyz follows ready(), its failure a 503 with the reason', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok\n', allow: null });
  readiness = { ok: true };
  assert.equal((await get('/readyz')).status, 200);
  assert.equal((await get('/readyz')).body, 'ready\n');
  readiness = { ok: false, reason: 'the history store is not open' };
  const notReady = await get('/readyz');
  assert.equal(notReady.status, 503);
  assert.match(notReady.body, /the history store is not open/);
  readiness = new Error('scheduler state unreadable');
  const failed = await get('/readyz');
  assert.equal(failed.status, 503);
  assert.match(failed.body, /scheduler state unreadable/);
  assert.equal((await get('/healthz')).status, 200, 'not ready is still alive');
  readiness = { ok: true };
});

test('health server: unknown paths 404, other methods 405, a query string is ignored', async () => {
  assert.equal((await get('/')).status, 404);
  assert.equal((await get('/metrics/extra')).status, 404);
  const post = await get('/metrics', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.match(post.allow ?? '', /GET/);
  assert.equal((await get('/readyz', { method: 'DELETE' })).status, 405);
  assert.equal((await get('/healthz?verbose=1')).status, 200);
});

test('health server: close() ends keep-alive connections at once; a ready() that never answers times out as 503', async () => {
  const s = await startHealthServer({ port: 0, metrics: createMetrics(), ready: () => new Promise(() => {}), readyTimeoutMs: 200 });
  const hung = await fetch(`${s.url}/readyz`, { headers: { connection: 'keep-alive' } });
  assert.equal(hung.status, 503);
  assert.match(await hung.text(), /longer than 200 ms/);
  const ok = await fetch(`${s.url}/metrics`, { headers: { connection: 'keep-alive' } });
  await ok.text();
  const started = Date.now();
  await s.close();
  assert.ok(Date.now() - started < 1000, `closed in ${Date.now() - started} ms despite the idle keep-alive socket`);
  await assert.rejects(fetch(`${s.url}/healthz`), 'nothing listens after close()');
});

test('a port already taken is refused with a sentence naming it', async () => {
  const port = Number(new URL(server.url).port);
  await assert.rejects(startHealthServer({ port, metrics: createMetrics(), ready: async () => ({ ok: true }) }), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
});

/** Every metric name in the dashboard's queries (panel exprs and variable queries). */
function dashboardMetricNames(): string[] {
  const dashboard: unknown = JSON.parse(readFileSync(path.join(ROOT, 'config/examples/grafana-dashboard.json'), 'utf8'));
  const queries: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'expr' || k === 'definition') && typeof x === 'string') queries.push(x);
        else walk(x);
      }
    }
  };
  walk(dashboard);
  assert.ok(queries.length >= 12, `the dashboard has queries (${queries.length})`);
  return [...new Set(queries.flatMap((q) => q.match(/portal_probe_[a-z_]+|process_[a-z_]+/g) ?? []))];
}

test('the Grafana dashboard queries only metrics /metrics exports (histograms by their base name)', () => {
  const exported = new Map(families.filter((f) => seriesLabels(f).length > 0).map((f) => [f.name, f.type]));
  const names = dashboardMetricNames();
  for (const name of names) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const ok = base !== name ? exported.get(base) === 'HISTOGRAM' || exported.has(name) : exported.has(name) && exported.get(name) !== 'HISTOGRAM';
    assert.ok(ok, `${name} (in the dashboard) is exported${base !== name ? ` as histogram ${base}` : ''}`);
  }
  for (const needed of ['portal_probe_journey_duration_seconds_bucket', 'portal_probe_step_duration_seconds_bucket', 'portal_probe_scheduler_lag_seconds_bucket', 'process_resident_memory_bytes', 'portal_probe_certificate_expiry_timestamp_seconds']) {
    assert.ok(names.includes(needed), `the dashboard shows ${needed}`);
  }
});

test('the Grafana dashboard is an importable dashboard: a DS_PROMETHEUS input every panel uses, unique ids, schema 39', () => {
  const d = JSON.parse(readFileSync(path.join(ROOT, 'config/examples/grafana-dashboard.json'), 'utf8')) as {
    __inputs: { name: string; pluginId: string }[]; schemaVersion: number; uid: string;
    panels: { id: number; type: string; datasource?: { uid: string }; targets?: { expr: string; datasource: { uid: string } }[] }[];
  };
  assert.deepEqual(d.__inputs.map((i) => [i.name, i.pluginId]), [['DS_PROMETHEUS', 'prometheus']]);
  assert.equal(d.schemaVersion, 39);
  assert.ok(d.uid.length > 0 && d.uid.length <= 40);
  assert.equal(new Set(d.panels.map((p) => p.id)).size, d.panels.length, 'panel ids are unique');
  for (const p of d.panels.filter((x) => x.type !== 'row')) {
    assert.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `panel ${p.id}'s datasource`);
    assert.ok((p.targets ?? []).length > 0 && (p.targets ?? []).every((t) => t.datasource.uid === '${DS_PROMETHEUS}' && t.expr.length > 0), `panel ${p.id}'s queries`);
  }
});
