import { startDemoPortal } from '/work/main/demo-portal/index.ts';
import { physicians } from '/work/main/test/helpers/portal-config.ts';
const N = 10;
const accts = physicians('e', N);
const portal = await startDemoPortal({ https: false, accounts: accts });
const out: number[] = [];
for (const a of accts) {
  const r0 = await fetch(portal.url + '/login');
  const cookie = r0.headers.getSetCookie().map(c => c.split(';')[0]).join('; ');
  const html = await r0.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const t = performance.now();
  const r = await fetch(portal.url + '/login', { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ username: a.username, password: a.password, csrf }).toString() });
  out.push(Math.round(performance.now() - t)); 
  if (out.length === 1) console.log(r.status, r.headers.get('location'));
}
console.log('POST /login ms', out.join(' '));
await portal.close();
