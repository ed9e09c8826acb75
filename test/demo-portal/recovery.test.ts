import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { account, Client, roleText, sleep } from './helpers.ts';

let portal: DemoPortal;

before(async () => {
  portal = await startDemoPortal({ https: false });
});
after(async () => {
  await portal.close();
});

function lastLinkFor(p: DemoPortal, username: string): string {
  const message = p.outbox().filter((m) => m.to === `${username}@demo-portal.test`).at(-1);
  assert.ok(message, `no reset mail for ${username}`);
  return message.link;
}

void describe('password reset', () => {
  void test('the request answers the same for known and unknown users; only real accounts get mail', async () => {
    const c = new Client(portal.url);
    const form = await c.get('/forgot-password');
    assert.match(form.body, /<label for="username">Username<\/label>/);
    const before = portal.outbox().length;
    const known = await c.post('/forgot-password', { username: 'dr.okoye' });
    const unknown = await c.post('/forgot-password', { username: 'no.such.user' });
    assert.equal(known.status, 200);
    assert.equal(unknown.status, known.status);
    assert.equal(unknown.body, known.body);
    assert.equal(roleText(known.body, 'status'), 'If the account exists, a reset link has been sent.');
    const sent = portal.outbox().slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.to, 'dr.okoye@demo-portal.test');
    assert.ok(sent[0]?.subject);
    assert.match(sent[0]?.link ?? '', new RegExp(`^${portal.url}/reset-password/[A-Za-z0-9_-]{43}$`));
    assert.ok(!Number.isNaN(Date.parse(sent[0]?.sentAt ?? '')));
  });

  void test('a reset link works once, changes the password and lifts a lockout', async () => {
    const who = account(portal, 'lockout.test');
    const c = new Client(portal.url);
    for (let i = 0; i < 5; i++) await c.post('/login', { username: who.username, password: 'not-it-at-all' });
    assert.equal((await c.post('/login', { username: who.username, password: who.password })).status, 423);

    await c.post('/forgot-password', { username: who.username });
    const link = lastLinkFor(portal, who.username);
    const form = await c.get(link);
    assert.equal(form.status, 200);
    assert.match(form.body, /<label for="new-password">New password<\/label>/);
    assert.match(form.body, /<button type="submit">Set password<\/button>/);
    assert.equal((await c.post(link, { password: 'short' })).status, 400);
    const done = await c.post(link, { password: 'Brand-New-Pass-42' });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/login');

    assert.equal((await c.post('/login', { username: who.username, password: who.password })).status, 401, 'old password is gone');
    assert.equal((await c.post('/login', { username: who.username, password: 'Brand-New-Pass-42' })).status, 303);

    const again = await c.get(link);
    assert.equal(again.status, 410);
    assert.equal(roleText(again.body, 'alert'), 'This link has already been used.');
    assert.equal((await c.post(link, { password: 'Another-Pass-42' })).status, 410);
  });

  void test('a reset link expires after resetLinkTtlMs; an unknown link is 404', async () => {
    const short = await startDemoPortal({ https: false, resetLinkTtlMs: 300 });
    try {
      const c = new Client(short.url);
      await c.post('/forgot-password', { username: 'dr.patel' });
      const link = lastLinkFor(short, 'dr.patel');
      assert.equal((await c.get(link)).status, 200);
      await sleep(350);
      const expired = await c.get(link);
      assert.equal(expired.status, 410);
      assert.equal(roleText(expired.body, 'alert'), 'This link has expired.');
      assert.equal((await c.post(link, { password: 'Brand-New-Pass-42' })).status, 410);
      assert.equal((await c.get('/reset-password/not-a-real-token')).status, 404);
    } finally {
      await short.close();
    }
  });
});

void describe('patient activation', () => {
  const token = (p: DemoPortal): string => account(p, 'pat.new').activationToken ?? '';

  void test('the activation page has the contract labels', async () => {
    const page = await new Client(portal.url).get(`/patient/activate/${token(portal)}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Activate your account<\/h1>/);
    assert.match(page.body, /<label for="first-name">First name<\/label>/);
    assert.match(page.body, /<label for="last-name">Last name<\/label>/);
    assert.match(page.body, /<label for="dob">Date of birth<\/label><input id="dob" name="dob" type="date"/);
    assert.match(page.body, /<label for="new-password">Create password<\/label>/);
    assert.match(page.body, /<button type="submit">Activate<\/button>/);
  });

  void test('identity mismatch is "User not found"; a match (case and spaces aside) activates once', async () => {
    const who = account(portal, 'pat.new');
    const c = new Client(portal.url);
    const path = `/patient/activate/${token(portal)}`;
    const mismatch = await c.post(path, { firstName: 'Sam', lastName: 'Lee', dob: '1990-01-07', password: who.password });
    assert.equal(mismatch.status, 404);
    assert.equal(roleText(mismatch.body, 'alert'), 'User not found. Check your details or call the help desk.');
    assert.equal((await c.post(path, { firstName: 'Samuel', lastName: 'Lee', dob: '1990-07-01', password: who.password })).status, 404);

    const ok = await c.post(path, { firstName: '  sam ', lastName: 'LEE', dob: '1990-07-01', password: who.password });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/patient/login?activated=1');
    assert.match(roleText((await c.get(ok.location)).body, 'status') ?? '', /activated/);
    assert.equal((await c.post('/patient/login', { username: 'pat.new', password: who.password })).location, '/mfa');
    assert.equal((await c.get(path)).status, 410);
    assert.ok(portal.events().some((e) => e.type === 'account-activated' && e.account === 'pat.new'));
  });

  void test('unknown and expired activation links are 410', async () => {
    assert.equal((await new Client(portal.url).get('/patient/activate/not-a-token')).status, 410);
    const short = await startDemoPortal({ https: false, activationTtlMs: 200 });
    try {
      await sleep(250);
      const c = new Client(short.url);
      const path = `/patient/activate/${token(short)}`;
      assert.equal((await c.get(path)).status, 410);
      assert.equal((await c.post(path, { firstName: 'Sam', lastName: 'Lee', dob: '1990-07-01', password: 'Whatever-123' })).status, 410);
    } finally {
      await short.close();
    }
  });
});
