/**
 * Browser discovery, in its fixed order: Playwright's managed build, then an explicit
 * PORTAL_PROBE_<NAME>_PATH, then the system's install — so tests and runs work on a machine
 * where set-up installed Playwright's own builds as well as on one with Debian's browsers.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { findBrowser, type BrowserStatus } from '../../core/browsers.ts';
import { ROOT, tempDir } from '../helpers/cli.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const realChromium = findBrowser('chromium');

test('an explicit PORTAL_PROBE_CHROMIUM_PATH elsewhere is used, and a real launch through it works', { skip: realChromium.available ? false : 'no Chromium on this machine' }, async () => {
  if (!realChromium.available) return;
  const elsewhere = path.join(tmp.dir, 'opt', 'chromium-elsewhere');
  mkdirSync(path.dirname(elsewhere), { recursive: true });
  symlinkSync(realChromium.executablePath, elsewhere);
  const found = findBrowser('chromium', { PORTAL_PROBE_CHROMIUM_PATH: elsewhere });
  assert.ok(found.available);
  // On a machine with Playwright's own build, that build comes first (next test).
  if (realChromium.source === 'playwright') return;
  assert.equal(found.source, 'env');
  assert.equal(found.executablePath, elsewhere);
  const browser = await chromium.launch({ ...found.launch.launchOptions });
  try {
    assert.match(browser.version(), /^\d+\./);
  } finally {
    await browser.close();
  }
});

test('a PORTAL_PROBE_*_PATH that is not executable is said so, and the search goes on', () => {
  const notExec = path.join(tmp.dir, 'not-a-browser');
  writeFileSync(notExec, 'text');
  const found = findBrowser('firefox', { PORTAL_PROBE_FIREFOX_PATH: notExec }, 'win32');
  assert.equal(found.available, false);
  assert.match((found as Extract<BrowserStatus, { available: false }>).reason, /PORTAL_PROBE_FIREFOX_PATH=.*not-a-browser is not an executable file/);
});

test('nothing found: not available, with every place tried in the reason', () => {
  const found = findBrowser('edge', {}, 'linux');
  if (found.available) return; // an Edge is installed here after all
  assert.match(found.reason, /Microsoft Edge not found: not installed at \/opt\/microsoft\/msedge\/msedge/);
});

test('a Playwright-managed build wins over an explicit path and the system install', () => {
  // A fresh process, so Playwright reads PLAYWRIGHT_BROWSERS_PATH: a fake managed build goes
  // exactly where Playwright looks for its own, and discovery must pick it first.
  const browsersPath = path.join(tmp.dir, 'ms-playwright');
  const explicit = path.join(tmp.dir, 'explicit-chromium');
  writeFileSync(explicit, '#!/bin/sh\n');
  chmodSync(explicit, 0o755);
  const script = `
    import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
    import path from 'node:path';
    import { chromium } from '@playwright/test';
    import { findBrowser } from './core/browsers.ts';
    const managed = chromium.executablePath();
    mkdirSync(path.dirname(managed), { recursive: true });
    writeFileSync(managed, '#!/bin/sh\\n');
    chmodSync(managed, 0o755);
    const f = findBrowser('chromium', { PORTAL_PROBE_CHROMIUM_PATH: ${JSON.stringify(explicit)} });
    console.log(JSON.stringify({ managed, source: f.available && f.source, path: f.available && f.executablePath }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT, env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsersPath }, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { managed: string; source: string; path: string };
  assert.ok(out.managed.startsWith(browsersPath), out.managed);
  assert.equal(out.source, 'playwright');
  assert.equal(out.path, out.managed);
});
