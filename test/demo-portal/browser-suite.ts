/**
 * The browser-only demo-portal behaviours, run once per engine by browser-chromium.test.ts
 * and browser-firefox.test.ts. One browser per file; each test gets a fresh context.
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from '@playwright/test';
import { startDemoPortal, type DemoAccount, type DemoPortal } from '../../demo-portal/index.ts';
import { account, totp } from './helpers.ts';

export type EngineName = 'chromium' | 'gecko';

const IPHONE_SAFARI_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export function browserSuite(engine: EngineName, launch: () => Promise<Browser>): void {
  const other: EngineName = engine === 'chromium' ? 'gecko' : 'chromium';
  let browser: Browser;
  let portal: DemoPortal;
  let boxesPortal: DemoPortal;
  const contexts: BrowserContext[] = [];

  before(async () => {
    [browser, portal, boxesPortal] = await Promise.all([launch(), startDemoPortal({ https: true }), startDemoPortal({ https: false, otpBoxes: true })]);
  });
  after(async () => {
    await browser.close();
    await Promise.all([portal.close(), boxesPortal.close()]);
  });
  beforeEach(() => {
    portal.setFaults([]);
    portal.reset();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });

  async function newPage(opts: BrowserContextOptions = {}): Promise<{ page: Page; errors: Error[] }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, ...opts });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(5_000);
    const errors: Error[] = [];
    page.on('pageerror', (e) => errors.push(e));
    return { page, errors };
  }

  async function signInByUi(page: Page, base: string, who: DemoAccount): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel('Username or NPI').fill(who.username);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/mfa$/);
    await page.getByLabel('Verification code').fill(totp(who.totpSeed));
    await page.getByRole('button', { name: 'Verify' }).click();
  }

  void test(`${engine}: the Sign in button is enabled by script and a full sign-in works over HTTPS`, async () => {
    const { page, errors } = await newPage();
    await signInByUi(page, portal.httpsUrl ?? '', account(portal, 'dr.rivera'));
    await page.waitForURL(/\/acknowledge$/);
    await page.getByLabel('I acknowledge that I will protect patient information').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/dashboard$/);
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'Signed in as Dr. Ana Rivera');
    assert.equal(await page.getByRole('heading', { name: "Today's schedule" }).count(), 1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?signed-out=1$/);
    assert.equal(await page.getByRole('status').textContent(), 'You have signed out.');
    assert.deepEqual(errors, []);
  });

  void test(`${engine}: engine-break:${engine} throws a TypeError here and leaves Sign in disabled`, async () => {
    portal.setFaults([`engine-break:${engine}`]);
    const { page } = await newPage();
    const thrown = page.waitForEvent('pageerror');
    await page.goto(`${portal.url}/login`);
    const error = await thrown;
    assert.match(`${error.name}: ${error.message}`, /TypeError/);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), true);
  });

  void test(`${engine}: engine-break:${other} leaves this engine alone`, async () => {
    portal.setFaults([`engine-break:${other}`]);
    const { page, errors } = await newPage();
    await page.goto(`${portal.url}/login`);
    await page.waitForLoadState('load');
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).isEnabled(), true);
    assert.deepEqual(errors, []);
  });

  void test(`${engine}: engine detection ignores the user agent (iPhone Safari UA)`, async () => {
    for (const [fault, disabled] of [['engine-break:webkit', false], [`engine-break:${engine}`, true]] as const) {
      portal.setFaults([fault]);
      const { page } = await newPage({ userAgent: IPHONE_SAFARI_UA, viewport: { width: 390, height: 844 } });
      await page.goto(`${portal.url}/login`);
      await page.waitForLoadState('load');
      assert.equal(await page.evaluate(() => navigator.userAgent), IPHONE_SAFARI_UA);
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), disabled, fault);
    }
  });

  void test(`${engine}: narrow-viewport-break blocks the click at 400 px, not at 1280 px`, async () => {
    portal.setFaults(['narrow-viewport-break']);
    const rivera = account(portal, 'dr.rivera');
    const narrow = await newPage({ viewport: { width: 400, height: 800 } });
    await narrow.page.goto(`${portal.url}/login`);
    await narrow.page.getByLabel('Username or NPI').fill(rivera.username, { force: true });
    await assert.rejects(narrow.page.getByRole('button', { name: 'Sign in' }).click({ timeout: 1_500 }), /intercepts pointer events|Timeout/);
    assert.match(narrow.page.url(), /\/login$/);
    const wide = await newPage({ viewport: { width: 1280, height: 800 } });
    await wide.page.goto(`${portal.url}/login`);
    await wide.page.getByLabel('Username or NPI').fill(rivera.username);
    await wide.page.getByLabel('Password').fill(rivera.password);
    await wide.page.getByRole('button', { name: 'Sign in' }).click({ timeout: 1_500 });
    await wide.page.waitForURL(/\/mfa$/);
  });

  void test(`${engine}: lookalike-redirect carries the sign-in to login-portal.localhost`, async () => {
    portal.setFaults(['lookalike-redirect']);
    const { page } = await newPage();
    await signInByUi(page, portal.url, account(portal, 'dr.patel'));
    await page.waitForURL(/\/acknowledge$/);
    const url = new URL(page.url());
    assert.equal(url.hostname, 'login-portal.localhost');
    assert.equal(url.port, new URL(portal.url).port);
  });

  void test(`${engine}: selector-change relabels the form; the new labels sign in`, async () => {
    portal.setFaults(['selector-change']);
    const kim = account(portal, 'dr.kim');
    const { page } = await newPage();
    await page.goto(`${portal.url}/login`);
    assert.equal(await page.getByLabel('Username or NPI').count(), 0);
    await page.getByLabel('User ID').fill(kim.npi ?? '');
    await page.getByLabel('Passphrase').fill(kim.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/mfa$/);
  });

  void test(`${engine}: extra-step shows the updated terms before the acknowledgment`, async () => {
    portal.setFaults(['extra-step']);
    const { page } = await newPage();
    await signInByUi(page, portal.url, account(portal, 'dr.okoye'));
    await page.waitForURL(/\/notice$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Updated terms of use');
    await page.getByRole('button', { name: 'I agree' }).click();
    await page.waitForURL(/\/acknowledge$/);
  });

  void test(`${engine}: six OTP boxes auto-advance and sign a patient in`, async () => {
    const okafor = account(boxesPortal, 'pat.okafor');
    const { page } = await newPage();
    await page.goto(`${boxesPortal.url}/patient/login`);
    await page.getByLabel('Username').fill(okafor.username);
    await page.getByLabel('Password').fill(okafor.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/mfa$/);
    assert.equal(await page.locator('input.otp-box').count(), 6);
    await page.getByLabel('Digit 1 of 6').click();
    await page.keyboard.type(totp(okafor.totpSeed), { delay: 20 });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Digit 6 of 6');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/dashboard$/);
    assert.equal(await page.getByTestId('signed-in-user').textContent(), 'Signed in as Grace Okafor');
    assert.equal(await page.getByRole('heading', { name: 'Messages' }).count(), 1);
  });
}
