/**
 * The role rule behind /labs and /claims and its two faults, over HTTP in both flavours:
 * the pages and the single-page app's API answer each role alike, role-access-lost takes
 * the lab results from physicians, role-access-leak gives them to every role — and nothing
 * else changes (sign-in, dashboards, the other role page), so no other check is disturbed.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFault, startDemoPortal, type DemoAccount, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, jsonOf, postJson, signIn, spaSignIn, testAccounts } from './helpers.ts';

let portal: DemoPortal;

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: [...testAccounts('rfmd', 2), ...testAccounts('rfbill', 2, 'billing')] });
});
after(async () => {
  await portal.close();
});
beforeEach(() => {
  portal.setFaults([]);
  portal.reset();
});

async function classicSession(who: DemoAccount): Promise<Client> {
  const c = new Client(portal.url);
  assert.equal(await signIn(c, who), '/dashboard');
  return c;
}

async function spaSession(who: DemoAccount): Promise<Client> {
  const c = new Client(portal.url);
  if ((await spaSignIn(c, who)) === 'acknowledge') assert.equal((await postJson(c, '/api/app/acknowledge', { ack: true })).status, 200);
  return c;
}

type Role = 'physician' | 'billing';
/** Status per role and path, on the clean portal; a fault overrides some. */
const CLEAN: Record<Role, Record<string, number>> = {
  physician: { '/labs': 200, '/claims': 403, '/api/app/labs': 200, '/api/app/claims': 403, '/dashboard': 200, '/api/app/dashboard': 200 },
  billing: { '/labs': 403, '/claims': 200, '/api/app/labs': 403, '/api/app/claims': 200, '/dashboard': 200, '/api/app/dashboard': 200 },
};
const CASES: [faults: string[], changes: Partial<Record<Role, Record<string, number>>>][] = [
  [[], {}],
  [['role-access-lost'], { physician: { '/labs': 403, '/api/app/labs': 403 } }],
  [['role-access-leak'], { billing: { '/labs': 200, '/api/app/labs': 200 } }],
];

test('the role-access faults are flags', () => {
  for (const flag of ['role-access-lost', 'role-access-leak']) assert.deepEqual(parseFault(flag), { kind: flag, spec: flag });
  assert.throws(() => parseFault('role-access-lost:labs'), /Invalid fault spec "role-access-lost:labs"/);
});

for (const [faults, changes] of CASES) {
  test(`${faults[0] ?? 'clean'}: each role's answers on the pages and the API`, async () => {
    portal.setFaults(faults);
    const who: Record<Role, [DemoAccount, DemoAccount]> = {
      physician: [account(portal, 'rfmd1'), account(portal, 'rfmd2')],
      billing: [account(portal, 'rfbill1'), account(portal, 'rfbill2')],
    };
    for (const role of ['physician', 'billing'] as const) {
      // One account per flavour: a TOTP step is accepted once per account.
      const pages = await classicSession(who[role][0]);
      const app = await spaSession(who[role][1]);
      for (const [path, clean] of Object.entries(CLEAN[role])) {
        const expected = changes[role]?.[path] ?? clean;
        const res = await (path.startsWith('/api/') ? app : pages).get(path);
        assert.equal(res.status, expected, `${role} ${path}`);
        if (expected === 403 && path.startsWith('/api/')) assert.deepEqual(jsonOf(res), { error: 'access-denied', message: 'You do not have permission to view this page.' });
        if (expected === 403 && !path.startsWith('/api/')) assert.match(res.body, /<h1>Access denied<\/h1>/);
      }
      // The landing pages do not change with the permission: the login journeys still assert them.
      assert.match((await pages.get('/dashboard')).body, role === 'physician' ? /<h2 id="labs-heading">Lab results<\/h2>/ : /<h2 id="claims-heading">Claims<\/h2>/);
      assert.equal(jsonOf<{ heading: string }>(await app.get('/api/app/dashboard')).heading, role === 'physician' ? 'Dashboard' : 'Claims');
    }
    // Each refusal is logged, as a portal's access audit would.
    const refusals = (['physician', 'billing'] as const).flatMap((role) => Object.entries(CLEAN[role]).filter(([path, clean]) => (changes[role]?.[path] ?? clean) === 403));
    assert.equal(portal.events().filter((e) => e.type === 'access-denied').length, refusals.length);
  });
}

test('the role API asks for a signed-in user first', async () => {
  const res = await new Client(portal.url).get('/api/app/labs');
  assert.equal(res.status, 401);
  assert.equal(jsonOf<{ error: string }>(res).error, 'not-authenticated');
});
