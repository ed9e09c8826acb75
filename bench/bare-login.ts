/**
 * The yardstick for bench/overhead.ts: the same provider login journey as portal-probe's
 * (config/demo.config.ts providerLoginSteps), hand-written against Playwright with nothing
 * else — no runner, no fixtures, no evidence watcher, no reporters. One Chromium for all
 * logins, a fresh context per login, logins strictly one after another.
 *
 *   npx tsx bench/bare-login.ts --url http://127.0.0.1:PORT --accounts FILE --logins N
 *
 * FILE is JSON: [{ "username", "password", "totpSeed" }, …]; login i uses account i mod
 * length. A code's time step is never reused on one account (the portal rejects replays):
 * each account's steps go strictly upwards, as core/totp-reservation.ts hands them out.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser } from '@playwright/test';
import { generateSync } from 'otplib';

interface Account { username: string; password: string; totpSeed: string }

const CHROMIUM_PATH = '/usr/bin/chromium';
// The flags portal-probe gives Chromium as root (core/browsers.ts chromiumArgs), so both launch the same browser.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PERIOD_MS = 30_000;
/** Same safety margins as the harness's demo config: accept ±1 step, need 3 s of validity left. */
const WINDOW = 1;
const MIN_REMAINING_MS = 3000;

const { values } = parseArgs({
  options: { url: { type: 'string' }, accounts: { type: 'string' }, logins: { type: 'string', default: '1' } },
});
if (!values.url || !values.accounts) {
  console.error('usage: bare-login.ts --url URL --accounts FILE [--logins N]');
  process.exit(2);
}
const baseUrl = values.url;
const accounts = JSON.parse(readFileSync(values.accounts, 'utf8')) as Account[];
const logins = Number(values.logins);
if (accounts.length === 0 || !Number.isInteger(logins) || logins < 1) {
  console.error('bare-login: need at least one account and --logins ≥ 1');
  process.exit(2);
}

const lastStep = new Map<string, number>();

/** The next unused time step the portal accepts for this account, waiting for one if needed. */
async function totpCode(a: Account): Promise<string> {
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

async function login(browser: Browser, a: Account): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
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
  } finally {
    await context.close();
  }
}

const t0 = performance.now();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  for (let i = 0; i < logins; i++) {
    const account = accounts[i % accounts.length];
    if (!account) throw new Error('no account');
    await login(browser, account);
  }
} catch (e) {
  console.error(`bare-login: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
console.log(`bare-login: ${logins} login(s) in ${Math.round(performance.now() - t0)} ms`);
