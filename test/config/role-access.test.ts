/**
 * The role-access check's config: per role its own accounts and login journey, and the
 * mistakes that would make it test the wrong thing — a role no account has, a pool that
 * mixes roles, a path both allowed and denied, a path that is not a path — each reported
 * with its path, all at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configProblems } from '../../config/validate.ts';
import { selectKinds } from '../../core/checks-catalog.ts';

const login = (name: string, use: Record<string, string>) => ({
  kind: 'login', name, use,
  steps: [
    { step: 'open', name: 'open', path: '/login' },
    { step: 'fill', target: { label: 'User' }, value: 'username' },
    { step: 'fill', target: { label: 'Password' }, value: 'password' },
    { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' } },
    { step: 'totp', target: { label: 'Code' } },
    { step: 'assert', target: { role: 'heading', name: 'Home' } },
  ],
});

function config(roles: unknown[], extra: Record<string, unknown> = {}) {
  const account = (id: string, role: string, pool?: string) => ({ id, role, username: id, password: `env:${id.toUpperCase()}_PW`, totpSeed: `env:${id.toUpperCase()}_SEED`, ...(pool ? { pool } : {}) });
  return {
    portals: [{
      name: 'ehr', environment: 'production', baseUrl: 'https://ehr.example.org',
      accounts: [account('md1', 'physician', 'md'), account('md2', 'physician', 'md'), account('bill1', 'billing', 'billing'), account('mixed', 'billing', 'md2')],
      journeys: [login('physician login', { pool: 'md' }), login('billing login', { pool: 'billing' }), { kind: 'role-access', name: 'roles', roles, ...extra }],
    }],
  };
}

const physician = { role: 'physician', use: { pool: 'md' }, login: 'physician login', allow: ['/labs'], deny: ['/claims'] };
const billing = { role: 'billing', use: { pool: 'billing' }, login: 'billing login', allow: ['/claims'], deny: ['/labs'] };

void test('a role-access check validates, takes its account and login from its first role, and belongs to the security group', () => {
  const { problems, config: parsed } = configProblems(config([physician, billing], { deniedPages: ['/access-denied'] }));
  assert.deepEqual(problems, []);
  const check = parsed?.portals[0]?.journeys.find((j) => j.kind === 'role-access');
  assert.ok(check?.kind === 'role-access');
  assert.deepEqual({ use: check.use, login: check.login, deniedText: check.deniedText, allBrowsers: check.allBrowsers }, { use: { pool: 'md' }, login: 'physician login', deniedText: [], allBrowsers: false });
  assert.ok(selectKinds(['security']).includes('role-access'));
  assert.deepEqual(selectKinds(['role-access']), ['role-access']);
});

void test('every mistake in the roles is reported with its path', () => {
  const { problems } = configProblems(config([
    { ...physician, deny: ['/claims', '/labs'] }, // /labs is allowed too
    { ...billing, role: 'biling' }, // no account has it, and the pool is billing's
    { role: 'billing', use: { pool: 'md2' }, login: 'billing sign-in', allow: ['claims'] }, // no such login; a path without "/"
    { role: 'physician', use: { account: 'bill1' }, login: 'physician login', deny: ['/x'] }, // listed twice; a billing account
    { role: 'physician', use: { account: 'nobody' }, login: 'physician login' }, // no paths; no such account
  ]));
  const at = (i: number, rest: string) => `portals[0].journeys[2].roles[${i}]${rest}`;
  const expected: [string, RegExp][] = [
    [at(0, '.deny[1]'), /"\/labs" is in "allow" too/],
    [at(1, '.role'), /names role "biling", but no account of portals\[0\] has "role": "biling" \(roles: "physician", "billing"\)/],
    [at(1, '.use'), /must name accounts of role "biling" only, but "bill1" is "billing"/],
    [at(2, '.allow[0]'), /must be a path on the portal/],
    [at(2, '.login'), /names login journey "billing sign-in", but portals\[0\] has no journey of kind "login"/],
    [at(3, '.role'), /role "physician" is already checked by portals\[0\]\.journeys\[2\]\.roles\[0\]/],
    [at(3, '.use'), /must name accounts of role "physician" only, but "bill1" is "billing"/],
    [at(4, ''), /a role needs at least one "allow" or "deny" path/],
    [at(4, '.role'), /already checked/],
    [at(4, '.use'), /names account "nobody", but portals\[0\] has no account with that id/],
  ];
  for (const [path, message] of expected) {
    assert.ok(problems.some((p) => p.path === path && message.test(p.message)), `${path} ${String(message)}\n${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
  }
  assert.equal(problems.length, expected.length, problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
});

void test('a role-access check has no use or login of its own: its roles carry them', () => {
  const { problems } = configProblems(config([physician], { use: { pool: 'md' } }));
  assert.ok(problems.some((p) => p.path === 'portals[0].journeys[2].use' && /signs in each role with its own "use" and "login": put them in roles\[\]/.test(p.message)), problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  assert.ok(configProblems(config([])).problems.some((p) => p.path === 'portals[0].journeys[2].roles'));
});
