import { chromium } from '@playwright/test';
import { startDemoPortal } from '/work/main/demo-portal/index.ts';
import { physicians } from '/work/main/test/helpers/portal-config.ts';
const N = 8;
const accts = physicians('e', N);
const portal = await startDemoPortal({ https: false, accounts: accts });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
for (let i = 0; i < N; i++) {
  const a = accts[i]!;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(portal.url + '/login');
  await page.getByLabel('Username or NPI').fill(a.username);
  await page.getByLabel('Password', { exact: true }).fill(a.password);
  const t0 = performance.now();
  const ev: string[] = [];
  const mark = (s: string) => ev.push(`${s}@${Math.round(performance.now() - t0)}`);
  page.on('request', (r) => mark(`req ${r.method()} ${new URL(r.url()).pathname}`));
  page.on('response', (r) => mark(`res ${r.status()} ${new URL(r.url()).pathname}`));
  page.on('domcontentloaded', () => mark('dcl'));
  const loaded = page.waitForEvent('load');
  await page.getByRole('button', { name: 'Sign in' }).click();
  mark('clicked');
  await loaded; mark('load');
  await page.getByLabel('Verification code').waitFor(); mark('visible');
  console.log(ev.join('  '));
  await ctx.close();
}
await browser.close(); await portal.close();
