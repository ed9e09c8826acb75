import { chromium } from '@playwright/test';
import { generateSync } from 'otplib';
import { startDemoPortal } from '/work/main/demo-portal/index.ts';
import { physicians } from '/work/main/test/helpers/portal-config.ts';
const N = 8;
const accts = physicians('e', N * 2);
const portal = await startDemoPortal({ https: false, accounts: accts });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] });
for (const useRoute of [false, true]) {
  const res: number[] = [];
  for (let i = 0; i < N; i++) {
    const a = accts[i + (useRoute ? N : 0)]!;
    const ctx = await browser.newContext();
    if (useRoute) await ctx.route('**/*', (r) => r.fallback());
    const page = await ctx.newPage();
    await page.goto(portal.url + '/login');
    await page.getByLabel('Username or NPI').fill(a.username);
    await page.getByLabel('Password', { exact: true }).fill(a.password);
    const t0 = performance.now();
    const loaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await loaded;
    await page.getByLabel('Verification code').waitFor();
    res.push(Math.round(performance.now() - t0));
    await ctx.close();
  }
  console.log(useRoute ? 'route' : 'plain', res.join(' '));
}
const { scrypt } = await import('node:crypto');
const ts: number[] = [];
for (let i = 0; i < 5; i++) { const t = performance.now(); await new Promise(r => scrypt('pw', 'saltsaltsalt', 64, { N: 16384, r: 8, p: 1 }, r)); ts.push(Math.round(performance.now() - t)); }
console.log('scrypt N=16384', ts.join(' '));
await browser.close(); await portal.close();
