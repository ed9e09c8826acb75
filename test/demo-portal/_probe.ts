import { chromium, firefox } from '@playwright/test';
import { startDemoPortal } from '../../demo-portal/index.ts';
const portal = await startDemoPortal({ faults: ['lookalike-redirect'] });
for (const [name, launch] of [['chromium', () => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run'] })], ['firefox', () => firefox.launch({ channel: 'moz-firefox', executablePath: '/usr/bin/firefox-esr' } as never)]] as const) {
  const t = Date.now();
  const browser = await launch();
  console.log(name, 'launched', Date.now() - t, browser.version());
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.log(name, 'pageerror', e.message));
  await page.goto(portal.url + '/login');
  console.log(name, await page.evaluate(`({moz: CSS.supports('-moz-appearance','none'), mozInner: 'mozInnerScreenX' in window, chrome: typeof window.chrome, appRegion: CSS.supports('-webkit-app-region','drag'), wkApp: CSS.supports('-webkit-appearance','none'), gesture: 'GestureEvent' in window, engine: portalDetectEngine(), disabled: document.querySelector('#sign-in').disabled, action: document.querySelector('form').action})`));
  try {
    const r = await page.goto(portal.url.replace('127.0.0.1', 'login-portal.localhost') + '/login', { timeout: 5000 });
    console.log(name, 'lookalike', r?.status(), page.url());
  } catch (e) { console.log(name, 'lookalike failed', (e as Error).message.split('\n')[0]); }
  try {
    const r = await page.goto(portal.httpsUrl!.replace('127.0.0.1', 'localhost') + '/login', { timeout: 5000 });
    console.log(name, 'https localhost', r?.status(), page.url());
  } catch (e) { console.log(name, 'https localhost failed', (e as Error).message.split('\n')[0]); }
  await browser.close();
}
await portal.close();
