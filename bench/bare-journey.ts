/**
 * The yardstick's login, hand-written against Playwright with nothing else: the same
 * provider journey as portal-probe's (config/demo.config.ts providerLoginSteps). Used by
 * the bare script (bare-login.ts: one Chromium, a fresh context per login) and by the
 * same login as a plain Playwright Test suite (bare-test/), so the overhead benchmark can
 * tell the test runner's share from portal-probe's own.
 *
 * A code's time step is never reused on one account (the portal rejects replays): each
 * account's steps go strictly upwards, as core/totp-reservation.ts hands them out.
 */
import { executableOf } from '../test/helpers/browsers.ts';
import { chromiumArgs } from '../core/browsers.ts';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from '@playwright/test';
import { generateSync } from 'otplib';

export interface BareAccount { username: string; password: string; totpSeed: string }

/** Found as the product finds it (core/browsers.ts), never a hard-coded path. */
export const CHROMIUM_PATH = executableOf('chromium');
/** The flags portal-probe gives Chromium (core/browsers.ts), so both launch the same browser. */
export const CHROMIUM_ARGS = chromiumArgs();
export const VIEWPORT = { width: 1280, height: 800 };
const PERIOD_MS = 30_000;
/** Same safety margins as the harness's demo config: accept ±1 step, need 3 s of validity left. */
const WINDOW = 1;
const MIN_REMAINING_MS = 3000;

/** FILE is JSON: [{ "username", "password", "totpSeed" }, …]. */
export function readAccounts(file: string): BareAccount[] {
  const accounts = JSON.parse(readFileSync(file, 'utf8')) as BareAccount[];
  if (!Array.isArray(accounts) || accounts.length === 0) throw new Error(`${file}: need at least one account`);
  return accounts;
}

const lastStep = new Map<string, number>();

/** The next unused time step the portal accepts for this account, waiting for one if needed. */
async function totpCode(a: BareAccount): Promise<string> {
  for (;;) {
    const now = Date.now();
    const t = Math.floor(now / PERIOD_MS);
    const last = lastStep.get(a.username);
    const step = Math.max(last === undefined ? 0 : last + 1, t - WINDOW, Math.ceil((now + MIN_REMAINING_MS) / PERIOD_MS) - WINDOW - 1);
    if (step <= t + WINDOW) {
      lastStep.set(a.username, step);
      return generateSync({ secret: a.totpSeed, epoch: (step * PERIOD_MS) / 1000 });
    }
    await sleep((step - WINDOW) * PERIOD_MS - now + 10);
  }
}

/** Sign in (user, password, code, the daily acknowledgment when it shows), then sign out. */
export async function bareLogin(page: Page, baseUrl: string, a: BareAccount): Promise<void> {
  await page.goto(new URL('/login', baseUrl).href);
  await page.getByLabel('Username or NPI').fill(a.username);
  await page.getByLabel('Password', { exact: true }).fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const codeField = page.getByLabel('Verification code');
  await codeField.waitFor();
  await codeField.fill(await totpCode(a));
  await page.getByRole('button', { name: 'Verify' }).click();
  const ack = page.getByRole('heading', { name: 'Daily security acknowledgment' });
  const dashboard = page.getByRole('heading', { name: 'Dashboard' });
  await ack.or(dashboard).first().waitFor();
  if (await ack.isVisible()) {
    await page.getByLabel('I acknowledge').check();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await dashboard.waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
}
