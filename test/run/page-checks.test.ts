/**
 * What a login step checks on the page it led to, in real Chromium and Firefox against a
 * small local site: the portal's error message ends the step at once even when the
 * expected element is on the page too; an expected element a script adds after the load
 * event is waited for, and that wait is part of the step; one that never comes fails the
 * step after the step timeout, naming what the page shows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, firefox, type Browser, type BrowserContext, type TestInfo } from '@playwright/test';
import type { JourneyConfig, JourneyStep, PortalConfig } from '../../config/schema.ts';
import type { RunPlan } from '../../core/plan.ts';
import { Evidence, openWatchedContext } from '../../fixtures/evidence.ts';
import { runLoginJourney } from '../../fixtures/login-journey.ts';
import { ProbeSession } from '../../fixtures/probe-session.ts';
import { chromiumArgs, FIREFOX_PREFS } from '../../core/browsers.ts';

const LATE_MS = 600;
const STEP_MS = 3000;

const PAGES: Record<string, string> = {
  '/start': '<h1>Start</h1><a href="/error-and-form">go</a>',
  // The expected field and the portal's error message on one page (a failed sign-in that re-shows the form).
  '/error-and-form': '<h1>Sign in</h1><p role="alert">Your password is incorrect.</p><label>Verification code <input></label>',
  // The expected field appears only after the load event, as a script-rendered page does it.
  '/late': `<h1>Loading</h1><script>addEventListener('load', () => setTimeout(() => {
    document.body.insertAdjacentHTML('beforeend', '<label>Verification code <input></label>');
  }, ${LATE_MS}));</script>`,
  '/never': '<h1>Maintenance</h1><p>Back soon.</p>',
};

let server: http.Server;
let baseUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    const body = PAGES[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>t</title>${body ?? '<h1>Not found</h1>'}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const expectCode = { label: 'Verification code' } as const;

const engines: [string, () => Promise<Browser>][] = [
  ['chromium', () => chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs() })],
  ['firefox', () => firefox.launch({ channel: 'moz-firefox', executablePath: '/usr/bin/firefox-esr', firefoxUserPrefs: FIREFOX_PREFS })],
];

for (const [engine, launch] of engines) {
  describe(`page checks after a step in ${engine}`, () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    before(async () => {
      browser = await launch();
    });
    after(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    });

    /** Runs `steps` as a login journey (untimed session: no Playwright test around it). */
    async function journey(steps: JourneyStep[]): Promise<{ error: Error | undefined; ms: number; session: ProbeSession }> {
      const portal = { name: 'local', environment: 'test', baseUrl, allowedHosts: [] } as unknown as PortalConfig;
      const plan = { config: { timeouts: { stepMs: STEP_MS } } } as unknown as RunPlan;
      const evidence = new Evidence(new Set([new URL(baseUrl).host]));
      const { context, page } = await openWatchedContext(browser, {}, evidence);
      contexts.push(context);
      const session = new ProbeSession(page, plan, portal, { name: 'j' } as JourneyConfig, { id: 'a', role: 'r', username: 'u', password: 'p' }, evidence, (s) => s, {} as TestInfo);
      session.timed = false;
      const started = performance.now();
      const error = await runLoginJourney(session, steps).then(() => undefined, (e: unknown) => e as Error);
      return { error, ms: performance.now() - started, session };
    }

    test('an error message ends the step at once, even with the expected element on the page', async () => {
      const r = await journey([
        { step: 'open', name: 'open', path: '/start' },
        { step: 'submit', name: 'sign in', target: { role: 'link', name: 'go' }, expect: expectCode },
      ] as JourneyStep[]);
      assert.ok(r.error, 'the step must fail');
      assert.match(r.error.message, /failed at step "sign in".*Your password is incorrect/);
      assert.equal(r.session.failure?.step, 'sign in');
      assert.ok(r.ms < STEP_MS, `failed after ${Math.round(r.ms)} ms, not at once`);
    });

    test('an expected element added after the load event is waited for, inside the step', async () => {
      const r = await journey([{ step: 'open', name: 'open', path: '/late', expect: expectCode }] as JourneyStep[]);
      assert.equal(r.error, undefined);
      assert.ok(r.ms >= LATE_MS, `the step ended after ${Math.round(r.ms)} ms, before the field appeared (${LATE_MS} ms after load)`);
    });

    test('an expected element that never comes fails the step after the step timeout, naming the page', async () => {
      const r = await journey([{ step: 'open', name: 'open', path: '/never', expect: expectCode }] as JourneyStep[]);
      assert.ok(r.error, 'the step must fail');
      assert.match(r.error.message, /failed at step "open".*Expected field labelled "Verification code" but the page shows "Maintenance"/);
      assert.ok(r.ms >= STEP_MS, `failed after ${Math.round(r.ms)} ms, before the step timeout`);
    });
  });
}
