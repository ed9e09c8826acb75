/**
 * Secret references resolve from env and files at start-up; every unresolved one is
 * named in one error, and no secret value ever appears in that error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSecrets } from '../../config/secrets.ts';
import { validateConfig } from '../../config/validate.ts';
import type { ProbeConfig } from '../../config/schema.ts';
import { expectHarnessError, tempDir, validConfig } from './helpers.ts';

const SEED = 'JBSWY3DPEHPK3PXP';
const CANARY = 'canary-Vq8#pZ-never-print-me';

/** Two accounts: one from env, one from files (relative to baseDir), one with a referenced username. */
function twoAccountConfig(): ProbeConfig {
  const raw = validConfig();
  raw.portals[0]!.accounts.push({
    id: 'dr-b', role: 'provider', username: 'env:B_USER', npi: '1245319599', password: 'file:secrets/b-password', totpSeed: 'file:secrets/b-seed', pool: 'main',
  });
  return validateConfig(raw, 'inline');
}

void test('env: and file: references resolve; one trailing newline is stripped; seeds are normalised', (t) => {
  const tmp = tempDir(t);
  tmp.write('secrets/b-password', 'p4ss word\n\n');
  tmp.write('secrets/b-seed', 'jbsw y3dp ehpk 3pxp\n');
  const env = { ACME_PW: 'acme-pw-1', ACME_SEED: SEED, B_USER: 'dr.b@example.test' };
  const store = resolveSecrets(twoAccountConfig(), { env, baseDir: tmp.dir });
  assert.equal(store.get('env:ACME_PW'), 'acme-pw-1');
  assert.equal(store.get('env:B_USER'), 'dr.b@example.test');
  assert.equal(store.get('file:secrets/b-password'), 'p4ss word\n', 'only one trailing newline is stripped');
  assert.equal(store.get('file:secrets/b-seed'), SEED);
  for (const v of ['acme-pw-1', SEED, 'dr.b@example.test', 'p4ss word\n', 'jbsw y3dp ehpk 3pxp']) assert.ok(store.values().includes(v), v);
  assert.throws(() => store.get('env:NOT_IN_CONFIG'), /env:NOT_IN_CONFIG was not resolved at start-up/);
});

void test('every missing reference is named in one error, by reference and path, without any value', async (t) => {
  const tmp = tempDir(t);
  tmp.write('secrets/b-seed', 'not a seed!\n'); // resolves, but is not base32
  // A canary in a variable that IS set, and a canary-valued literal-looking username: neither may leak.
  const env = { ACME_PW: '', ACME_SEED: CANARY, B_USER: CANARY, UNRELATED: CANARY };
  const error = await expectHarnessError(() => resolveSecrets(twoAccountConfig(), { env, baseDir: tmp.dir }), 'SECRET_MISSING');
  assert.equal(error.message, '4 secret reference(s) could not be resolved; nothing was run.');
  const [pw, seed, bPw, bSeed, ...rest] = error.details;
  assert.equal(pw, 'portals[0].accounts[0].password: env:ACME_PW is set but empty');
  assert.match(seed ?? '', /^portals\[0\]\.accounts\[0\]\.totpSeed: the value of env:ACME_SEED is not a base32 TOTP seed/);
  assert.match(bPw ?? '', /^portals\[0\]\.accounts\[1\]\.password: file:secrets\/b-password cannot be read \(.*b-password\): ENOENT$/);
  assert.match(bSeed ?? '', /^portals\[0\]\.accounts\[1\]\.totpSeed: the value of file:secrets\/b-seed is not a base32 TOTP seed/);
  assert.deepEqual(rest, []);
  const everything = [error.message, ...error.details, String(error.stack)].join('\n');
  assert.ok(!everything.includes(CANARY), 'a secret value leaked into the error');
  assert.ok(!everything.includes('not a seed!'), 'a file secret leaked into the error');
});

void test('an unset variable is reported as not set, once per place that uses it', async () => {
  const raw = validConfig();
  raw.portals[0]!.accounts.push({ ...raw.portals[0]!.accounts[0]!, id: 'dr-c' });
  const config = validateConfig(raw, 'inline');
  const error = await expectHarnessError(() => resolveSecrets(config, { env: {}, baseDir: '/' }), 'SECRET_MISSING');
  assert.deepEqual(error.details, [
    'portals[0].accounts[0].password: env:ACME_PW is not set',
    'portals[0].accounts[0].totpSeed: env:ACME_SEED is not set',
    'portals[0].accounts[1].password: env:ACME_PW is not set',
    'portals[0].accounts[1].totpSeed: env:ACME_SEED is not set',
  ]);
});

void test('demoSecrets supply values without touching env, and win over stale env values', () => {
  const config = validateConfig(validConfig(), 'inline');
  const env = { ACME_PW: 'stale-from-an-old-shell' };
  const store = resolveSecrets(config, { env, baseDir: '/', demoSecrets: { 'env:ACME_PW': 'generated-pw', ACME_SEED: SEED } });
  assert.equal(store.get('env:ACME_PW'), 'generated-pw');
  assert.equal(store.get('env:ACME_SEED'), SEED);
  assert.deepEqual(env, { ACME_PW: 'stale-from-an-old-shell' });
});

void test('a seed with padding and lower case is accepted; a directory as file secret names the OS reason', async (t) => {
  const tmp = tempDir(t);
  tmp.write('secrets/dir/.keep', '');
  const raw = validConfig();
  raw.portals[0]!.accounts[0]!.password = 'file:secrets/dir';
  const config = validateConfig(raw, 'inline');
  const error = await expectHarnessError(() => resolveSecrets(config, { env: { ACME_SEED: 'jbswy3dpehpk3pxp====' }, baseDir: tmp.dir }), 'SECRET_MISSING');
  assert.equal(error.details.length, 1);
  assert.match(error.details[0] ?? '', /^portals\[0\]\.accounts\[0\]\.password: file:secrets\/dir cannot be read .*: EISDIR$/);
});
