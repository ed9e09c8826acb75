/**
 * Text read from a portal's page (fixtures/page-text.ts) in a real Chromium: a message on a
 * page whose script keeps the browser busy is read, not taken for no message (a loaded CI
 * machine did that, and two equal refusals compared as different); patient data is removed;
 * a missing element is answered at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import { pageHeading, phiSelector, safeText } from '../../fixtures/page-text.ts';
import { launcher } from '../helpers/browsers.ts';

const chromium = launcher('chromium');
let browser: Browser;
let page: Page;
const phi = phiSelector(['.mrn']);

before(async () => {
  if (chromium.skip) return;
  browser = await chromium.launch();
  page = await browser.newPage();
});
after(() => browser?.close());

const PAGE = '<h1>Chart of <span data-phi>Jordan Ellis</span></h1><p class="mrn">MRN 0042</p><div role="alert">Invalid username or password.</div>';

test('a message on a page kept busy for 2 s is read, not taken for none', { skip: chromium.skip }, async () => {
  await page.setContent(PAGE);
  // The page's own script holds the main thread, as a starved browser's does.
  await page.evaluate(() => { setTimeout(() => { const end = Date.now() + 2000; while (Date.now() < end) { /* busy */ } }, 0); });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  assert.equal(await safeText(page.locator('[role=alert]'), phi), 'Invalid username or password.');
  assert.ok(Date.now() - started >= 1000, 'the read waited for the busy page');
});

test('patient data is removed from what is read; a missing element is answered at once', { skip: chromium.skip }, async () => {
  await page.setContent(PAGE);
  assert.equal(await pageHeading(page, phi), 'Chart of [patient data removed]');
  assert.equal(await safeText(page.locator('.mrn'), phi), '[patient data removed]');
  const started = Date.now();
  assert.equal(await safeText(page.locator('#nothing-here'), phi), undefined);
  // Not the 500 ms the old read waited for an element to appear.
  assert.ok(Date.now() - started < 450, `a missing element took ${Date.now() - started} ms`);
});

test('a page whose script does not yield within the bound is given up on, as no text', { skip: chromium.skip }, async () => {
  const hung = await browser.newPage();
  await hung.setContent(PAGE);
  await hung.evaluate(() => { setTimeout(() => { const end = Date.now() + 5000; while (Date.now() < end) { /* hung */ } }, 0); });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  assert.equal(await safeText(hung.locator('[role=alert]'), phi, 1500), undefined);
  const took = Date.now() - started;
  assert.ok(took >= 1400 && took < 5000, `gave up after ${took} ms`);
  await hung.close().catch(() => undefined);
});
