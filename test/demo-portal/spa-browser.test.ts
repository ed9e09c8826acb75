/**
 * The single-page flavour in a real Chromium, found the way the harness finds browsers
 * (core/browsers.ts): in-place sign-in, pushState routing without page loads, the hover menu
 * and confirm dialog, the activity-gated keep-alive, the framed sign-in, and the browser-only
 * faults. One browser for the file, a fresh context per test, an account per test (a TOTP
 * step is usable once per account).
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type FrameLocator, type Page, type Request } from '@playwright/test';
import { findBrowser } from '../../core/browsers.ts';
import { startDemoPortal, type DemoAccount, type DemoPortal } from '../../demo-portal/index.ts';
import { account, testAccounts, totp } from './helpers.ts';

const found = findBrowser('chromium');
const skip = found.available ? false : `Chromium not available: ${found.reason}`;
const ACTIVITY_WINDOW_MS = 1_500;
const REFRESH_EVERY_MS = 300;

let browser: Browser;
let portal: DemoPortal;
const contexts: BrowserContext[] = [];

before(async () => {
  if (!found.available) return;
  [browser, portal] = await Promise.all([
    chromium.launch({ ...found.launch.launchOptions, ...(found.launch.channel ? { channel: found.launch.channel } : {}) }),
    startDemoPortal({
      https: false, accounts: [...testAccounts('web-doc-', 8), ...testAccounts('web-pat-', 2, 'patient')],
      spaActivityWindowMs: ACTIVITY_WINDOW_MS, spaRefreshEveryMs: REFRESH_EVERY_MS,
    }),
  ]);
});
after(async () => {
  await Promise.all([browser?.close(), portal?.close()]);
});
afterEach(async () => {
  portal?.setFaults([]);
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

interface Tab {
  page: Page;
  errors: Error[];
  /** Top-level 'load' events so far: a single-page flow must not add any after the first. */
  loads: () => number;
}

async function newTab(opts: BrowserContextOptions = {}): Promise<Tab> {
  const context = await browser.newContext(opts);
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(5_000);
  const errors: Error[] = [];
  let loads = 0;
  page.on('pageerror', (e) => errors.push(e));
  page.on('load', () => loads++);
  return { page, errors, loads: () => loads };
}

/** Password, then the code in the same form; `scope` is the page or the sign-in frame. */
async function signIn(scope: Page | FrameLocator, who: DemoAccount, codeOffset = 0): Promise<void> {
  await scope.getByLabel('Email or username').fill(who.username);
  await scope.getByLabel('Password').fill(who.password);
  await scope.getByRole('button', { name: 'Continue' }).click();
  await scope.getByLabel('Verification code').fill(totp(who.totpSeed, codeOffset));
  await scope.getByRole('button', { name: 'Continue' }).click();
}

void test('sign-in in place, acknowledgment, dashboard and sign-out — all without a page load', { skip }, async () => {
  const { page, errors, loads } = await newTab();
  await page.goto(`${portal.url}/app`);
  await page.getByRole('heading', { level: 1, name: 'Sign in to Lakeside' }).waitFor();
  assert.match(page.url(), /\/app\/login$/);
  assert.equal(await page.getByRole('alert').count(), 0, 'the 401 of the boot is not an error');
  assert.equal(await page.getByRole('banner').getByText('Lakeside Health Portal').count(), 1);
  assert.equal(loads(), 1);

  const who = account(portal, 'web-doc-1');
  await page.getByLabel('Email or username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Verification code').waitFor();
  assert.equal(await page.getByLabel('Password').count(), 0, 'the password field is gone');
  assert.equal(await page.getByText('Enter the 6-digit code from your authenticator app.').count(), 1);
  assert.equal(await page.locator('#spa-otp').getAttribute('maxlength'), '6');
  await page.getByLabel('Verification code').fill(totp(who.totpSeed));
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { level: 1, name: 'Daily security acknowledgment' }).waitFor();
  assert.match(page.url(), /\/app\/dashboard$/, 'pushState, not a load');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('alert').textContent(), 'Select the acknowledgment checkbox to continue.');
  await page.getByLabel('I acknowledge').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  assert.equal(await page.getByTestId('signed-in-user').textContent(), 'Signed in as Dr. Test 1');
  assert.ok((await page.locator('[data-phi]').count()) >= 5);

  const menuButton = page.getByRole('button', { name: 'Account' });
  assert.equal(await menuButton.getAttribute('aria-haspopup'), 'menu');
  await menuButton.hover();
  await page.getByRole('menu').waitFor();
  assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out?' });
  assert.equal(await dialog.getByText('Sign out of Lakeside Health Portal?').count(), 1);
  await dialog.getByRole('button', { name: 'Yes, sign out' }).click();
  await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
  assert.match(page.url(), /\/app\/login$/);
  assert.equal(loads(), 1, 'no load event after the first');
  assert.equal((await page.request.get(`${portal.url}/api/app/me`)).status(), 401);
  assert.deepEqual(errors, []);
});

void test('wrong password and wrong code are shown in place; a click opens the menu too', { skip }, async () => {
  const { page } = await newTab();
  const who = account(portal, 'web-doc-2');
  await page.goto(`${portal.url}/app/login`);
  await page.getByLabel('Email or username').fill(who.username);
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('alert').filter({ hasText: 'Invalid username or password.' }).waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is cleared');
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Verification code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('alert').filter({ hasText: 'The verification code is incorrect or has expired.' }).waitFor();
  assert.equal(await page.getByLabel('Verification code').inputValue(), '');
  await page.getByLabel('Verification code').fill(totp(who.totpSeed));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Daily security acknowledgment' }).waitFor();
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('dialog', { name: 'Sign out?' }).getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.getByRole('dialog', { name: 'Sign out?' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Daily security acknowledgment' }).count(), 1, 'still signed in');
});

void test('the keep-alive refreshes only within the activity window after input, not for mouse moves', { skip }, async () => {
  const { page } = await newTab();
  const refreshes: Request[] = [];
  page.on('requestfinished', (r) => {
    if (r.url().endsWith('/api/app/refresh')) refreshes.push(r);
  });
  // When the browser started each refresh (its own clock, not when this process heard of it).
  const startedAt = (): number[] => refreshes.map((r) => r.timing().startTime);
  await page.goto(`${portal.url}/app/login`);
  const who = account(portal, 'web-pat-1');
  await page.getByLabel('Email or username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Verification code').fill(totp(who.totpSeed));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
  // The click on Continue was the last input, so it happened before the dashboard showed.
  const lastInputAtMost = Date.now();
  await page.waitForTimeout(ACTIVITY_WINDOW_MS + 3 * REFRESH_EVERY_MS);
  assert.ok(refreshes.length >= 2, `refreshes while active: ${refreshes.length}`);
  const late = startedAt().filter((t) => t > lastInputAtMost + ACTIVITY_WINDOW_MS + REFRESH_EVERY_MS);
  assert.deepEqual(late, [], 'no refresh once the activity window has passed');
  const quiet = refreshes.length;
  await page.mouse.move(200, 200);
  await page.mouse.move(300, 250, { steps: 5 });
  await page.waitForTimeout(3 * REFRESH_EVERY_MS);
  assert.equal(refreshes.length, quiet, 'mouse movement is not input');
  await page.keyboard.press('Shift');
  await page.waitForTimeout(3 * REFRESH_EVERY_MS);
  assert.ok(refreshes.length > quiet, 'a key press resumes the keep-alive');
});

void test('embedded: sign-in inside the frame, then a real top-level load of /app/dashboard', { skip }, async () => {
  const { page, loads } = await newTab();
  await page.goto(`${portal.url}/app/embedded`);
  assert.equal(await page.getByRole('heading', { level: 1, name: 'Lakeside Health' }).count(), 1);
  const frame = page.frameLocator('iframe[title="Sign in"]');
  await frame.getByRole('heading', { name: 'Sign in to Lakeside' }).waitFor();
  const who = account(portal, 'web-doc-3');
  await signIn(frame, who);
  await frame.getByLabel('I acknowledge').check();
  await frame.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/app\/dashboard$/);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  assert.equal(page.frames().length, 1, 'the dashboard is top-level, not framed');
  assert.equal(loads(), 2, 'the hand-over is a real page load');
  assert.equal(await page.getByTestId('signed-in-user').textContent(), 'Signed in as Dr. Test 3');
});

void test('a dead session cookie on a signed-in path shows the expired notice', { skip }, async () => {
  const { page } = await newTab();
  await page.context().addCookies([{ name: 'pp_session', value: 'x'.repeat(43), url: portal.url }]);
  await page.goto(`${portal.url}/app/dashboard`);
  await page.getByRole('status').filter({ hasText: 'Your session has expired. Please sign in again.' }).waitFor();
  assert.match(page.url(), /\/app\/login$/);
});

void test('faults: engine-break, http-error, selector-change, narrow viewport, look-alike host', { skip }, async () => {
  portal.setFaults(['engine-break:chromium']);
  const broken = await newTab();
  const thrown = broken.page.waitForEvent('pageerror');
  await broken.page.goto(`${portal.url}/app/login`);
  assert.match(`${(await thrown).name}`, /TypeError/);
  assert.equal(await broken.page.getByRole('button', { name: 'Continue' }).isDisabled(), true);

  portal.setFaults(['http-error:login:503', 'selector-change']);
  const { page } = await newTab();
  await page.goto(`${portal.url}/app/login`);
  assert.equal(await page.getByLabel('Email or username').count(), 0);
  await page.getByLabel('User ID').fill('web-doc-4');
  await page.getByLabel('Passphrase').fill('whatever');
  await page.getByRole('button', { name: 'Log in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /^The portal is unavailable \(HTTP 503\)\. Reference ERR-[0-9A-F]{8}\.$/);

  portal.setFaults(['narrow-viewport-break']);
  const narrow = await newTab({ viewport: { width: 400, height: 800 } });
  await narrow.page.goto(`${portal.url}/app/login`);
  await narrow.page.getByRole('dialog', { name: 'Cookie notice' }).waitFor();
  await assert.rejects(narrow.page.getByLabel('Email or username').click({ timeout: 1_000 }), /intercepts pointer events|Timeout/);

  portal.setFaults(['lookalike-redirect']);
  const look = await newTab();
  const hosts: string[] = [];
  look.page.on('request', (r) => hosts.push(new URL(r.url()).hostname));
  await look.page.goto(`${portal.url}/app/login`);
  const who = account(portal, 'web-doc-5');
  await look.page.getByLabel('Email or username').fill(who.username);
  await look.page.getByLabel('Password').fill(who.password);
  await look.page.getByRole('button', { name: 'Continue' }).click();
  await look.page.getByLabel('Verification code').waitFor();
  assert.ok(hosts.includes('login-portal.localhost'), 'the password went to the look-alike');
  assert.equal(new URL(look.page.url()).hostname, '127.0.0.1', 'while the address bar never changed');
});
