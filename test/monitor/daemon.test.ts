/**
 * The monitor as a daemon: a schedule shorter than a tick (every 2 s; a tick takes longer
 * because sign-in is delayed 2.5 s and the runner takes seconds to start) must never run
 * the journey twice at once — the ticks that come meanwhile are skipped and counted — and
 * /metrics, read with a real Prometheus text-format parser, must agree with what the store
 * recorded. /healthz and /readyz answer while it runs; SIGTERM ends it with 143.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import parse from 'parse-prometheus-text-format';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { startCli, tempDir, writeJson } from '../helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../helpers/portal-config.ts';
import { launcher } from '../helpers/browsers.ts';

const tmp = tempDir('pp-daemon-');
let portal: DemoPortal;
const chromium = launcher('chromium');

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('sched', 2) });
  portal.setFaults(['delay:login:2500']);
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

/** Counter or gauge values of a family, by a label's value ('' for none). */
function values(text: string, name: string, by?: string): Map<string, number> {
  const family = parse(text).find((f) => f.name === name);
  const out = new Map<string, number>();
  if (!family || family.type === 'HISTOGRAM' || family.type === 'SUMMARY') return out;
  for (const m of family.metrics) {
    const k = by ? m.labels?.[by] ?? '' : '';
    out.set(k, (out.get(k) ?? 0) + Number(m.value));
  }
  return out;
}

test('ticks on a short schedule never overlap, skipped ticks are counted, /metrics agrees with the store', { skip: chromium.skip }, async () => {
  mkdirSync(tmp.dir, { recursive: true });
  const file = path.join(tmp.dir, 'portal-probe.config.json');
  const store = path.join(tmp.dir, 'history.db');
  writeJson(file, {
    portals: [{ ...providerPortal(portal, { accountIds: ['sched1'] }), name: 'clinic' }],
    browsers: ['chromium'], viewports: ['desktop'], workers: 1,
    timeouts: { stepMs: 10_000, journeyMs: 60_000 },
    outputDir: path.join(tmp.dir, 'out'), store, location: 'lab',
    monitor: { schedules: [{ every: '2s' }], spread: 0, stopGrace: '5s', retryOnFailure: false },
  });
  const cli = startCli(['monitor', '--config', file, '--metrics-port', '0'], { cwd: tmp.dir, env: secretEnv(portal, ['sched1']), timeoutMs: 120_000 });
  let metricsText = '';
  try {
    const url = await (async () => {
      for (let i = 0; i < 100; i++) {
        const m = /metrics (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(cli.output());
        if (m) return m[1]!;
        await sleep(200);
      }
      throw new Error(`no metrics address printed:\n${cli.output()}`);
    })();
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    // At least three ticks recorded.
    for (const until = Date.now() + 90_000; ;) {
      const n = (await (await fetch(`${url}/metrics`)).text()).match(/^portal_probe_ticks_total\{[^}]*\} (\d+)/m);
      if (n && Number(n[1]) >= 3) break;
      if (Date.now() > until) throw new Error(`fewer than 3 ticks in 90 s:\n${cli.output()}`);
      await sleep(500);
    }
    metricsText = await (await fetch(`${url}/metrics`)).text();
  } finally {
    process.kill(cli.pid, 'SIGTERM');
  }
  const r = await cli.done;
  assert.equal(r.code, 143, r.stdout + r.stderr);

  const raw = new BetterSqlite3(store, { readonly: true });
  const runs = raw.prepare('select id, started_at s, finished_at f, interrupted from runs order by started_at').all() as { id: string; s: number; f: number; interrupted: string | null }[];
  const passed = (raw.prepare("select count(*) n from results where outcome = 'passed'").get() as { n: number }).n;
  raw.close();
  // One journey, never two runs of it at once.
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.s >= runs[i - 1]!.f, `run ${runs[i]!.id} started before ${runs[i - 1]!.id} finished`);
  const skipped = values(metricsText, 'portal_probe_runs_skipped_overlap_total').get('') ?? 0;
  assert.ok(skipped >= 1, `ticks came every 2 s and each took longer: some must have been skipped\n${metricsText}`);
  const ticks = values(metricsText, 'portal_probe_ticks_total', 'outcome');
  const results = values(metricsText, 'portal_probe_results_total', 'outcome');
  // The scrape came after ≥ 3 ticks; the store also holds the tick SIGTERM interrupted (and any that finished after the scrape).
  const scrapedTicks = [...ticks.values()].reduce((a, b) => a + b, 0);
  assert.ok(scrapedTicks >= 3 && scrapedTicks <= runs.length, `${scrapedTicks} ticks in /metrics, ${runs.length} runs in the store`);
  assert.equal(ticks.get('passed'), scrapedTicks, 'every scraped tick passed');
  assert.equal(results.get('passed'), scrapedTicks, 'one passed result per tick');
  assert.ok(passed >= scrapedTicks);
  assert.equal(values(metricsText, 'portal_probe_journey_success').get(''), 1);
  assert.equal(values(metricsText, 'portal_probe_incidents_open', 'severity').get('critical'), 0);
  assert.ok((values(metricsText, 'process_resident_memory_bytes').get('') ?? 0) > 10e6, 'the default process metrics are there');
  const lag = parse(metricsText).find((f) => f.name === 'portal_probe_scheduler_lag_seconds');
  assert.ok(lag && lag.type === 'HISTOGRAM' && Number(lag.metrics[0]?.count) === scrapedTicks, 'one lag sample per tick');
});
