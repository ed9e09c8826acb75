import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { BUILT_IN_ACCOUNTS, expandSeeds } from '../../demo-portal/accounts.ts';
import { buildApp } from '../../demo-portal/server.ts';
import { PortalState, resolveSettings } from '../../demo-portal/state.ts';
import { account, Client, signIn } from './helpers.ts';

let portal: DemoPortal;
const token = 'test-admin-token-0123456789abcdef';

before(async () => {
  portal = await startDemoPortal({ https: false, adminToken: token });
});
after(async () => {
  await portal.close();
});

const auth = { authorization: `Bearer ${token}` };

void test('the admin API needs the bearer token', async () => {
  const c = new Client(portal.url);
  assert.equal((await c.get('/__admin/faults')).status, 401);
  assert.equal((await c.get('/__admin/faults', { headers: { authorization: 'Bearer wrong-token' } })).status, 401);
  assert.equal((await c.request('PUT', '/__admin/faults', { json: { faults: ['extra-step'] } })).status, 401);
  assert.equal((await c.post('/__admin/reset')).status, 401);
  assert.equal((await c.get('/__admin/events')).status, 401);
  assert.deepEqual(portal.faults(), []);
  const ok = await c.get('/__admin/faults', { headers: auth });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { faults: [] });
});

void test('a random admin token is made when none is given', async () => {
  const other = await startDemoPortal({ https: false });
  try {
    assert.match(other.adminToken, /^[0-9a-f]{64}$/);
    assert.notEqual(other.adminToken, portal.adminToken);
  } finally {
    await other.close();
  }
});

void test('PUT /__admin/faults replaces faults; a bad spec is a 400 naming it', async () => {
  const c = new Client(portal.url);
  const put = await c.request('PUT', '/__admin/faults', { json: { faults: ['extra-step', 'delay:login:20'] }, headers: auth });
  assert.equal(put.status, 200);
  assert.deepEqual(portal.faults(), ['extra-step', 'delay:login:20']);
  const bad = await c.request('PUT', '/__admin/faults', { json: { faults: ['engine-break:ie6'] }, headers: auth });
  assert.equal(bad.status, 400);
  assert.match((JSON.parse(bad.body) as { message: string }).message, /"engine-break:ie6"/);
  assert.equal((await c.request('PUT', '/__admin/faults', { json: { faults: 'extra-step' }, headers: auth })).status, 400);
  assert.deepEqual(portal.faults(), ['extra-step', 'delay:login:20']);
  await c.request('PUT', '/__admin/faults', { json: { faults: [] }, headers: auth });
  assert.deepEqual(portal.faults(), []);
});

void test('outbox, events and reset over the admin API', async () => {
  const c = new Client(portal.url);
  await c.post('/forgot-password', { username: 'dr.kim' });
  const outbox = JSON.parse((await c.get('/__admin/outbox', { headers: auth })).body) as { messages: { to: string; link: string }[] };
  assert.equal(outbox.messages.at(-1)?.to, 'dr.kim@demo-portal.test');
  assert.match(outbox.messages.at(-1)?.link ?? '', /\/reset-password\//);

  await signIn(c, account(portal, 'billing.chen'));
  const events = JSON.parse((await c.get('/__admin/events', { headers: auth })).body) as { events: { type: string }[] };
  assert.ok(events.events.some((e) => e.type === 'mfa-accepted'));
  assert.equal((await c.post('/__admin/reset', {}, { headers: auth })).status, 200);
  assert.deepEqual(portal.events(), []);
  assert.equal((await c.get('/api/session')).status, 401, 'reset ends sessions');
});

void test('the admin API refuses non-loopback peers even with the token', async () => {
  const state = await PortalState.create(resolveSettings({ adminToken: token }), expandSeeds(BUILT_IN_ACCOUNTS), []);
  const app = buildApp(state, { logger: false });
  try {
    const remote = await app.inject({ method: 'GET', url: '/__admin/faults', headers: auth, remoteAddress: '10.1.2.3' });
    assert.equal(remote.statusCode, 403);
    const local = await app.inject({ method: 'GET', url: '/__admin/faults', headers: auth, remoteAddress: '127.0.0.1' });
    assert.equal(local.statusCode, 200);
  } finally {
    await app.close();
  }
});
