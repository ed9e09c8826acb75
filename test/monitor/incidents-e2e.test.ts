/**
 * The monitor end to end, with real browsers (Chromium and Firefox) against a demo portal
 * whose faults are switched between ticks through its admin API, a real HTTP stand-in for
 * Slack, and the real store file. Each tick is one `portal-probe monitor --once` process, so
 * the incident state also survives a restart every tick.
 *
 *   tick 1  Firefox (engine break) and the narrow Android viewport (cookie banner) fail:
 *           retried at once — failing cells only, its own recorded run — still failing: no message
 *   tick 2  the same (and retried): one incident opens for both, Chromium desktop passing
 *   tick 3  the sign-in answers 503 everywhere (and retried): Chromium desktop fails too — an update, not a new incident
 *   tick 4  healthy: no message (recoverAfter 2)
 *   tick 5  healthy: recovered, with how long it lasted
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { runCli, tempDir, writeJson } from '../helpers/cli.ts';
import { physicians, providerPortal, secretEnv } from '../helpers/portal-config.ts';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.ts';
import { findBrowsers } from '../../core/browsers.ts';

const tmp = tempDir('pp-monitor-e2e-');
const CANARY = '/services/T0HOOK/B0HOOK/monitor-canary-77aa';
let portal: DemoPortal;
let slack: SlackStandIn;
const noFirefox = !findBrowsers(['firefox']).some((b) => b.available);

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('mon', 4) });
  slack = await startSlackStandIn(CANARY);
});
after(async () => {
  await portal.close();
  await slack.close();
  tmp.cleanup();
});

async function setFaults(faults: string[]): Promise<void> {
  const r = await fetch(`${portal.url}/__admin/faults`, { method: 'PUT', headers: { authorization: `Bearer ${portal.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
  assert.equal(r.status, 200, await r.text());
}

interface Posted { text: string; blocks: { type: string; text?: { text: string } }[] }
const posted = (): Posted[] => slack.received.map((r) => JSON.parse(r.body) as Posted);
const allText = (p: Posted): string => [p.text, ...p.blocks.map((b) => b.text?.text ?? '')].join('\n');

test('faults switched between ticks drive one incident across browsers: open after 2, update when a third cell fails, recovery after 2 passes', { skip: noFirefox && 'Firefox is not installed here' }, async () => {
  const ids = ['mon1', 'mon2', 'mon3', 'mon4'];
  const configFile = path.join(tmp.dir, 'portal-probe.config.json');
  writeJson(configFile, {
    portals: [{ ...providerPortal(portal, { accountIds: ids }), name: 'clinic' }],
    browsers: ['chromium', 'firefox'],
    // A narrow Android viewport in Chromium only: three cells.
    viewports: ['desktop', { name: 'android', width: 412, height: 860, browsers: ['chromium'] }],
    timeouts: { stepMs: 4000, journeyMs: 60_000 },
    workers: 2,
    outputDir: path.join(tmp.dir, 'out'),
    location: 'test-lab',
    monitor: {
      schedules: [{ every: '5m' }],
      failAfter: 2, recoverAfter: 2,
      slack: { webhooks: [{ name: 'oncall', url: 'env:PP_TEST_SLACK_WEBHOOK' }], timeout: '5s' },
      metrics: { enabled: false },
    },
  });
  const env = { ...secretEnv(portal, ids), PP_TEST_SLACK_WEBHOOK: slack.url };
  const tick = async (faults: string[]): Promise<{ code: number; out: string }> => {
    await setFaults(faults);
    const r = await runCli(['monitor', '--once', '--config', configFile], { cwd: tmp.dir, env, timeoutMs: 180_000 });
    return { code: r.code, out: r.stdout + r.stderr };
  };

  const partial = ['engine-break:gecko', 'narrow-viewport-break'];
  let t = await tick(partial);
  assert.equal(t.code, 0, `tick 1: no incident yet\n${t.out}`);
  assert.equal(slack.received.length, 0, 'tick 1 (a first failure, retried) posts nothing');

  t = await tick(partial);
  assert.equal(t.code, 1, `tick 2: an incident is open\n${t.out}`);
  assert.equal(slack.received.length, 1, `one message for two failing cells\n${t.out}`);
  const open = allText(posted()[0]!);
  assert.match(open, /FAILING/);
  assert.match(open, /firefox\/desktop/i);
  assert.match(open, /chromium\/android/i);
  assert.match(open, /chromium\/desktop passes/i);
  assert.match(open, /test-lab/);

  t = await tick(['http-error:login:503']);
  assert.equal(t.code, 1, t.out);
  assert.equal(slack.received.length, 2, `an update, not a new incident\n${t.out}`);
  const update = allText(posted()[1]!);
  assert.match(update, /UPDATE/);
  assert.match(update, /chromium\/desktop/);

  t = await tick([]);
  assert.equal(slack.received.length, 2, `one pass does not resolve it\n${t.out}`);
  t = await tick([]);
  assert.equal(t.code, 0, t.out);
  assert.equal(slack.received.length, 3, t.out);
  const recovery = allText(posted()[2]!);
  assert.match(recovery, /RECOVERED/);
  assert.match(recovery, /lasted/);

  // The store: eight runs — five ticks, and a retry after each of the three failing ones (failing cells only, naming its tick's first run).
  const raw = new BetterSqlite3(path.join(tmp.dir, '.portal-probe', 'history.db'), { readonly: true });
  const runs = raw.prepare("select r.id, r.labels, (select count(*) from results x where x.run_id = r.id and x.outcome <> 'not-run') ran from runs r order by started_at").all() as { id: string; labels: string; ran: number }[];
  const incidents = raw.prepare('select key, state from alert_state').all() as { key: string; state: string }[];
  const outbox = raw.prepare('select kind, state from outbox order by seq').all() as { kind: string; state: string }[];
  raw.close();
  assert.equal(runs.length, 8, JSON.stringify(runs));
  const labels = runs.map((r) => JSON.parse(r.labels) as Record<string, string>);
  assert.deepEqual(labels.map((l) => (l.retryOf === undefined ? 'tick' : 'retry')), ['tick', 'retry', 'tick', 'retry', 'tick', 'retry', 'tick', 'tick']);
  for (const i of [1, 3, 5]) {
    assert.equal(labels[i]!.retryOf, runs[i - 1]!.id);
    assert.equal(labels[i]!.monitorTick, labels[i - 1]!.monitorTick);
  }
  assert.deepEqual(runs.map((r) => r.ran), [3, 2, 3, 2, 3, 3, 3, 3], 'a retry runs only the failing cells');
  assert.deepEqual(outbox, [{ kind: 'open', state: 'sent' }, { kind: 'update', state: 'sent' }, { kind: 'recovery', state: 'sent' }]);
  assert.equal(incidents.length, 1);
  assert.equal((JSON.parse(incidents[0]!.state) as { critical?: unknown }).critical, undefined, 'resolved');

  // The webhook URL is a secret: in no file the runs wrote, not in the store, not in the output.
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const f of files(tmp.dir)) assert.ok(!readFileSync(f).includes('monitor-canary'), `${f} holds the webhook URL`);
  assert.ok(!t.out.includes('monitor-canary'));
});
