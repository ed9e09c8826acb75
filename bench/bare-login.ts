/**
 * The yardstick for bench/overhead.ts: the provider login of bare-journey.ts as a plain
 * script — no runner, no fixtures, no evidence watcher, no reporters. One Chromium for all
 * logins, a fresh context per login, logins strictly one after another; login i uses
 * account i mod length.
 *
 *   npx tsx bench/bare-login.ts --url http://127.0.0.1:PORT --accounts FILE --logins N
 */
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT, bareLogin, readAccounts } from './bare-journey.ts';

const { values } = parseArgs({
  options: { url: { type: 'string' }, accounts: { type: 'string' }, logins: { type: 'string', default: '1' } },
});
if (!values.url || !values.accounts) {
  console.error('usage: bare-login.ts --url URL --accounts FILE [--logins N]');
  process.exit(2);
}
const baseUrl = values.url;
const accounts = readAccounts(values.accounts);
const logins = Number(values.logins);
if (!Number.isInteger(logins) || logins < 1) {
  console.error('bare-login: --logins must be a whole number ≥ 1');
  process.exit(2);
}

const t0 = performance.now();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  for (let i = 0; i < logins; i++) {
    const account = accounts[i % accounts.length];
    if (!account) throw new Error('no account');
    const context = await browser.newContext({ viewport: VIEWPORT });
    try {
      await bareLogin(await context.newPage(), baseUrl, account);
    } finally {
      await context.close();
    }
  }
} catch (e) {
  console.error(`bare-login: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
console.log(`bare-login: ${logins} login(s) in ${Math.round(performance.now() - t0)} ms`);
