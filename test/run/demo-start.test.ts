/**
 * What `npm start` does: no config file → the embedded demo portal and demo config, the
 * whole default matrix. Every browser this machine has must pass; every one it lacks
 * must be "not run" with its reason — never passed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { findBrowser } from '../../core/browsers.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

test('the embedded demo run passes on every available browser and reports the rest as not run', async () => {
  const r = await runCli(['run'], { cwd: tmp.dir, timeoutMs: 400_000, env: { PORTAL_PROBE_STATE_DIR: path.join(tmp.dir, 'state') } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /config: embedded demo config/);
  assert.match(r.stdout, /demo portal: http:\/\/127\.0\.0\.1:\d+/);
  const { run, runDir } = latestRun(path.join(tmp.dir, '.portal-probe', 'results'));
  const journeys = new Set(run.results.map((x) => x.journey));
  for (const j of ['billing login', 'patient login', 'physician login', 'logout-ends-session', 'session-rotation', 'cookie-policy', 'cache-policy', 'totp-single-use', 'transport']) {
    assert.ok(journeys.has(j), `${j} ran`);
  }
  for (const x of run.results) {
    if (findBrowser(x.browser.name).available) {
      assert.equal(x.outcome, 'passed', `${x.id}: ${x.errorText ?? x.errorMessage ?? x.reason}`);
      assert.ok(x.browser.version, 'browser version recorded');
    } else {
      assert.equal(x.outcome, 'not-run', x.id);
      assert.match(x.reason ?? '', /not found/);
    }
  }
  // This machine's own guarantee: Chromium (desktop, Android, iPhone) and Firefox really ran.
  for (const cell of ['chromium/desktop', 'firefox/desktop', 'chromium/android', 'chromium/iphone']) {
    assert.ok(run.results.some((x) => `${x.browser.name}/${x.viewport.name}` === cell && x.outcome === 'passed'), `${cell} ran`);
  }
  assert.ok(existsSync(path.join(runDir, 'junit.xml')));
  assert.ok(existsSync(path.join(runDir, 'html', 'index.html')));
  assert.match(r.stdout, /Not run:/);
});
