/**
 * The shipped examples are documentation people copy: they must load, validate, and
 * resolve their secrets (with stub env values), and the JSON twin must say the same
 * thing as the TypeScript one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DEMO_SOURCE, loadConfig } from '../../config/load.ts';
import { resolveSecrets } from '../../config/secrets.ts';
import { repoRoot, tempDir } from './helpers.ts';

const examples = path.join(repoRoot, 'config/examples');
const noDemo = (): Promise<unknown> => Promise.reject(new Error('not expected'));

/** Stub values for every env: reference the examples use. */
function stubEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const n of [1, 2, 3]) {
    env[`PP_PAYER_FRONTDESK${n}_PASSWORD`] = `stub-password-${n}`;
    env[`PP_PAYER_FRONTDESK${n}_TOTP_SEED`] = 'JBSWY3DPEHPK3PXP';
  }
  return env;
}

for (const file of ['real-portal.config.ts', 'real-portal.config.json']) {
  void test(`${file} validates, has no warnings, and its secrets resolve`, async () => {
    const loaded = await loadConfig({ configPath: file, cwd: examples, demoConfig: noDemo });
    assert.deepEqual(loaded.warnings, []);
    const { config } = loaded;
    const portal = config.portals[0];
    assert.ok(portal);
    assert.equal(portal.accounts.filter((a) => a.pool === 'front-desk').length, 3);
    assert.ok(portal.allowedHosts.length > 0, 'an SSO host is allowed');
    assert.deepEqual(config.browsers, ['chrome', 'edge', 'firefox', 'webkit']);
    assert.deepEqual(config.viewports, ['desktop', 'android', 'iphone']);
    assert.ok(config.labels.vendorVersion);
    const steps = portal.journeys.flatMap((j) => (j.kind === 'login' ? j.steps.map((s) => s.step) : []));
    for (const kind of ['totp', 'interstitial', 'fill'] as const) assert.ok(steps.includes(kind), kind);
    const store = resolveSecrets(config, { env: stubEnv(), baseDir: loaded.baseDir });
    assert.equal(store.get('env:PP_PAYER_FRONTDESK2_PASSWORD'), 'stub-password-2');
  });
}

void test('the JSON example is the TypeScript example, field for field', async () => {
  const fromTs = await loadConfig({ configPath: 'real-portal.config.ts', cwd: examples, demoConfig: noDemo });
  const fromJson = await loadConfig({ configPath: 'real-portal.config.json', cwd: examples, demoConfig: noDemo });
  assert.deepEqual(fromJson.config, fromTs.config);
});

void test('the embedded demo config validates through the same loader path', async (t) => {
  const { demoConfig } = await import('../../config/demo.config.ts');
  const tmp = tempDir(t); // an empty cwd: no config file, so the demo config is used
  const loaded = await loadConfig({ cwd: tmp.dir, demoConfig: () => Promise.resolve(demoConfig) });
  assert.equal(loaded.source, DEMO_SOURCE);
  assert.deepEqual(loaded.warnings, []);
});

void test('the single-page example validates: waits on conditions, a three-action sign-out, API probe paths', async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const n of [1, 2, 3]) {
    env[`PP_MYCHART_PATIENT${n}_PASSWORD`] = `stub-password-${n}`;
    env[`PP_MYCHART_PATIENT${n}_TOTP_SEED`] = 'JBSWY3DPEHPK3PXP';
  }
  const loaded = await loadConfig({ configPath: 'spa-portal.config.ts', cwd: examples, demoConfig: noDemo });
  assert.deepEqual(loaded.warnings, []);
  const portal = loaded.config.portals[0];
  assert.ok(portal);
  assert.ok(portal.phiSelectors.length > 0 && portal.errorLocator && portal.backgroundRequests.length > 0);
  const login = portal.journeys.find((j) => j.kind === 'login');
  assert.ok(login?.kind === 'login');
  const logout = login.steps.find((s) => s.step === 'logout');
  assert.ok(logout?.step === 'logout' && logout.actions?.length === 3, 'the sign-out is one step of three actions');
  const code = login.steps.find((s) => s.step === 'totp');
  assert.ok(code?.step === 'totp' && code.expect && !Array.isArray(code.expect) && 'url' in code.expect && 'response' in code.expect);
  for (const j of portal.journeys) if (j.kind !== 'login' && j.kind !== 'script' && j.kind !== 'role-access') assert.match(j.probePath, /^\/api\//);
  assert.equal(resolveSecrets(loaded.config, { env, baseDir: loaded.baseDir }).get('env:PP_MYCHART_PATIENT3_PASSWORD'), 'stub-password-3');
});
