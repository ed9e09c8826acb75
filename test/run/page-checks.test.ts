/**
 * What a login step checks on the page it led to, in real Chromium and Firefox against a
 * small local site: the portal's error message ends the step at once even when the
 * expected element is on the page too; an expected element a script adds after the load
 * event is waited for, and that wait is part of the step; one that never comes fails the
 * step after the step timeout, naming what the page shows. And on a page that never loads
 * again (a single-page sign-in): a step without `expect` ends at the last response of the
 * requests its click started; a long poll listed as background does not hold it, and one
 * not listed is what the timeout is blamed on; an error shown in place by the portal's
 * `errorLocator` ends the step at once, a polite notice does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from '@playwright/test';
import type { JourneyConfig, JourneyStep, PortalConfig } from '../../config/schema.ts';
import type { RunPlan } from '../../core/plan.ts';
import { Evidence, openWatchedContext } from '../../fixtures/evidence.ts';
import { runLoginJourney } from '../../fixtures/login-journey.ts';
import { ProbeSession } from '../../fixtures/probe-session.ts';
import { launcher } from '../helpers/browsers.ts';

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
  // A single-page sign-in: Continue posts by fetch (and opens a long poll), then shows the code field in place.
  '/spa': `<h1>Sign in</h1><div role="status" id="s"></div><div id="f"><button id="go">Continue</button></div><script>
    document.getElementById('go').onclick = async () => {
      fetch('/api/poll');
      const r = await fetch('/api/login' + location.search, { method: 'POST' });
      document.getElementById('s').textContent = 'Checking…';
      if (r.status === 401) document.getElementById('f').insertAdjacentHTML('beforeend', '<div class="toast-error">That code has expired.</div>');
      else document.getElementById('f').insertAdjacentHTML('beforeend', '<label>Verification code <input></label>');
    };</script>`,
};
const API_MS = 400;

let server: http.Server;
let baseUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/poll')) return; // a long poll: answers only when there is news (never, here)
    if (req.url?.startsWith('/api/login')) {
      setTimeout(() => { res.writeHead(req.url?.includes('fail') ? 401 : 200).end('{}'); }, API_MS);
      return;
    }
    const body = PAGES[(req.url ?? '').split('?')[0] ?? ''];
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

for (const engine of ['chromium', 'firefox'] as const) {
  const { skip, launch } = launcher(engine);
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
    async function journey(steps: JourneyStep[], o: { background?: string[]; errorLocator?: JourneyStep['errorLocator'] } = {}): Promise<{ error: Error | undefined; ms: number; session: ProbeSession; started: number }> {
      const portal = { name: 'local', environment: 'test', baseUrl, allowedHosts: [], backgroundRequests: o.background ?? [], errorLocator: o.errorLocator } as unknown as PortalConfig;
      const plan = { config: { timeouts: { stepMs: STEP_MS } } } as unknown as RunPlan;
      const evidence = Evidence.forPortal(portal);
      const { context, page } = await openWatchedContext(browser, {}, evidence);
      contexts.push(context);
      const session = new ProbeSession(page, plan, portal, { name: 'j' } as JourneyConfig, { id: 'a', role: 'r', username: 'u', password: 'p' }, evidence, (s) => s, (_name, body) => body());
      session.timed = false;
      const started = performance.now();
      const startedAt = Date.now();
      const error = await runLoginJourney(session, steps).then(() => undefined, (e: unknown) => e as Error);
      return { error, ms: performance.now() - started, session, started: startedAt };
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

    const open = { step: 'open', name: 'open', path: '/spa', expect: { role: 'button', name: 'Continue' } } as const;
    const click = { step: 'click', name: 'continue', target: { role: 'button', name: 'Continue' } } as const;

    test('no expect, no page load: the step ends at the last response of what its click started', { skip }, async () => {
      const r = await journey([open, click] as JourneyStep[], { background: ['/api/poll'] });
      assert.equal(r.error, undefined);
      const held = (r.session.stepHeldAtMs ?? 0) - r.started;
      assert.ok(held >= API_MS, `held after ${held} ms, before the API answered (${API_MS} ms)`);
      assert.ok(r.ms - held >= 900, `the step waited ${Math.round(r.ms - held)} ms of quiet before it was over`);
      assert.ok(r.session.evidence.network.since(0).every((w) => w.path !== '/api/poll'), 'the background long poll is not watched');
    });

    test('an unlisted long poll is what the timeout is blamed on: Backend/integration, naming it', { skip }, async () => {
      const r = await journey([open, click] as JourneyStep[]);
      assert.ok(r.error);
      assert.equal(r.session.failure?.classification.category, 'backend', r.error.message);
      assert.equal(r.session.failure?.classification.cause, 'slow-response');
      assert.match(r.session.failure?.errorMessage ?? '', /GET \/api\/poll \(no answer after/);
    });

    test("an error the portal's errorLocator shows in place ends the step at once; a polite notice does not", { skip }, async () => {
      const failing = { ...open, path: '/spa?fail=1' };
      const withExpect = { ...click, expect: { label: 'Verification code' } };
      const r = await journey([failing, withExpect] as JourneyStep[], { background: ['/api/poll'], errorLocator: { css: '.toast-error' } });
      assert.ok(r.error);
      assert.match(r.error.message, /That code has expired/);
      assert.ok(r.ms < STEP_MS, `failed after ${Math.round(r.ms)} ms, not at once`);
      const ok = await journey([open, withExpect] as JourneyStep[], { background: ['/api/poll'], errorLocator: { css: '.toast-error' } });
      assert.equal(ok.error, undefined, 'role=status "Checking…" is not an error');
    });
  });
}
