/**
 * A config with many problems at once must come back as ONE HarnessError listing every
 * problem with its path — whether the file is TypeScript or JSON — and the run must
 * not start. These go through loadConfig with real files, as a user would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../config/load.ts';
import { configProblems, validateConfig } from '../../config/validate.ts';
import { assertDetail, defineConfigUrl, expectHarnessError, tempDir, validConfig } from './helpers.ts';

const noDemo = (): Promise<unknown> => Promise.reject(new Error('the demo config must not be used when a file exists'));

/** Every kind of mistake from the brief, each at a known path. */
function brokenConfig() {
  const config = validConfig();
  const portal = config.portals[0] as Record<string, unknown> & (typeof config.portals)[0];
  portal.environment = 'prod'; // bad enum
  portal.baseUrl = 'htp://portal.acme.example'; // bad URL
  portal.acounts = []; // typo key
  portal.accounts[0]!.password = 'hunter2-literal'; // literal secret
  portal.accounts.push({ id: 'dr-b', role: 'provider', username: 'dr.b', password: 'env:B_PW', pool: 'main' } as never); // no seed, no npi
  portal.journeys.push({ kind: 'login', name: 'login', use: { account: 'nobody' }, steps: [{ step: 'open', name: 'open', path: '/' }] } as never);
  return {
    ...config,
    browsers: ['chrome', 'safari'],
    viewports: ['desktop', { name: 'phone', device: 'Pixel 77' }, { name: 'box', width: 800 }],
    budgets: { default: 5000, 'sign in': 3000, 'sing in': 3000 },
    workerz: 4,
  };
}

const expected: [path: string, fragment: string][] = [
  ['portals[0].environment', '"prod" is not one of "production"'],
  ['portals[0].baseUrl', 'http(s) URL'],
  ['portals[0].acounts', 'did you mean "accounts"'],
  ['portals[0].accounts[0].password', 'secret reference'],
  ['portals[0].accounts[1].totpSeed', 'has a totp step'],
  ['portals[0].accounts[1].npi', 'fills in the NPI'],
  ['portals[0].journeys[1].name', 'already used by portals[0].journeys[0].name'],
  ['portals[0].journeys[1].use.account', 'names account "nobody"'],
  ['browsers[1]', '"safari" is not one of'],
  ['viewports[1].device', 'did you mean "Pixel 7"'],
  ['viewports[2]', 'both "width" and "height"'],
  ['budgets["sing in"]', 'budget for unknown step "sing in"'],
  ['workerz', 'did you mean "workers"'],
];

function assertAllProblems(details: readonly string[], message: string, file: string): void {
  assert.match(message, new RegExp(`^The config ${file} has ${expected.length} problems; nothing was run\\.$`));
  assert.equal(details.length, expected.length, details.join('\n'));
  // The literal password must not be echoed back: error output goes to CI logs.
  assert.ok(!details.join('\n').includes('hunter2-literal'));
}

void test('a TypeScript config with many problems reports all of them, with paths, in one error', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.ts', `import { defineConfig } from '${defineConfigUrl}';\nexport default defineConfig(${JSON.stringify(brokenConfig(), null, 2)} as never);\n`);
  const error = await expectHarnessError(() => loadConfig({ cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  for (const [path, fragment] of expected) assertDetail(error, path, fragment);
  assertAllProblems(error.details, error.message, 'portal-probe.config.ts');
});

void test('a JSON config with the same problems reports the same list', async (t) => {
  const tmp = tempDir(t);
  tmp.write('probe.json', JSON.stringify(brokenConfig(), null, 2));
  const error = await expectHarnessError(() => loadConfig({ configPath: 'probe.json', cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  for (const [path, fragment] of expected) assertDetail(error, path, fragment);
  assertAllProblems(error.details, error.message, 'probe.json');
});

void test('think time that would fill the journey timeout is refused', () => {
  const config = validConfig() as ReturnType<typeof validConfig> & { timeouts?: unknown };
  const journey = config.portals[0]?.journeys[0] as Record<string, unknown>;
  const pauses = (journey.steps as unknown[]).length - 1;
  assert.ok(pauses > 0);
  journey.thinkTimeMs = 10_000;
  config.timeouts = { journeyMs: 10_000 * pauses };
  const { problems } = configProblems(config);
  assert.deepEqual(problems.map((p) => p.path), ['portals[0].journeys[0].thinkTimeMs']);
  assert.match(problems[0]?.message ?? '', /at least half of timeouts\.journeyMs/);
  config.timeouts = { journeyMs: 30_000 * pauses };
  assert.deepEqual(configProblems(config).problems, []);
});

void test('an outbound proxy: credentials only as a secret reference, never in its URL, and both or neither', () => {
  const at = (proxy: unknown): string[] => configProblems({ ...validConfig(), proxy }).problems.map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(at({ server: 'http://proxy.example.org:3128', bypass: ['.internal.example.org', 'sso.example.org:8443'], username: 'probe', password: 'env:PROXY_PW' }), []);
  const inUrl = at({ server: 'http://probe:hunter2@proxy.example.org:3128' });
  assert.equal(inUrl.length, 1, inUrl.join('\n'));
  assert.match(inUrl[0] ?? '', /^proxy\.server: .*must not hold a user name or password: put them in proxy\.username and proxy\.password/);
  assert.ok(!inUrl.join('\n').includes('hunter2'), 'the password in the URL must not be echoed');
  assert.match(at({ server: 'https://proxy.example.org:3128' })[0] ?? '', /^proxy\.server: .*http:\/\/ URL/);
  assert.match(at({ server: 'http://proxy.example.org:3128/path' })[0] ?? '', /^proxy\.server: .*only scheme, host and port/);
  assert.match(at({ server: 'http://proxy.example.org:3128', username: 'probe' })[0] ?? '', /^proxy\.password: .*needs both username and password/);
  assert.match(at({ server: 'http://proxy.example.org:3128', username: 'probe', password: 'hunter2' })[0] ?? '', /^proxy\.password: .*secret reference/);
  assert.match(at({ server: 'http://proxy.example.org:3128', bypas: [] })[0] ?? '', /^proxy\.bypas: .*did you mean "bypass"/);
});

void test('the valid base config passes and gets defaults applied', () => {
  const config = validateConfig(validConfig(), 'inline');
  assert.deepEqual(config.browsers, ['chromium', 'firefox', 'webkit']);
  assert.equal(config.portals[0]?.totp.periodSeconds, 30);
  assert.equal(config.artifacts.trace, 'off');
});

void test('duplicate names, unknown pools, duplicate step names and union typos are each reported', async () => {
  const config = validConfig();
  config.portals.push(structuredClone(config.portals[0]!));
  const portal = config.portals[1]!;
  portal.accounts.push({ ...portal.accounts[0]! });
  portal.journeys[0]!.use = { pool: 'night-shift' };
  portal.journeys[0]!.steps.push({ step: 'open', name: 'open', path: '/again' }, { step: 'assert', target: { rol: 'heading' } } as never);
  const error = await expectHarnessError(() => validateConfig({ ...config, viewports: ['phone'] }, 'inline'), 'CONFIG_INVALID');
  assertDetail(error, 'portals[1].name', 'already used by portals[0].name');
  assertDetail(error, 'portals[1].accounts[1].id', '"dr-a" is already used by portals[1].accounts[0].id');
  assertDetail(error, 'portals[1].journeys[0].use.pool', 'names pool "night-shift"');
  assertDetail(error, 'portals[1].journeys[0].steps[5].name', 'already used by portals[1].journeys[0].steps[0].name');
  assertDetail(error, 'portals[1].journeys[0].steps[6].target', '"rol" is not a setting here (did you mean "role"?)');
  assertDetail(error, 'viewports[0]', 'must be one of "desktop", "android", "iphone", "tablet" or an object');
  assert.equal(error.details.length, 6, error.details.join('\n'));
});

void test('a config that is not an object, or a step without a kind, still gets a clear message', async () => {
  const notObject = await expectHarnessError(() => validateConfig([], 'inline'), 'CONFIG_INVALID');
  assert.match(notObject.details.join('\n'), /\(config\): /);
  const config = validConfig();
  config.portals[0]!.journeys[0]!.steps.push({ target: { css: '#x' } } as never);
  const noStep = await expectHarnessError(() => validateConfig(config, 'inline'), 'CONFIG_INVALID');
  assertDetail(noStep, 'portals[0].journeys[0].steps[5].step', 'is required: one of "open"');
});

void test('credentials in a URL, a URL as allowed host, mixed use shapes and an impossible TOTP margin', async () => {
  const config = validConfig();
  const portal = config.portals[0] as (typeof config.portals)[0] & Record<string, unknown>;
  portal.baseUrl = 'https://probe:S3cr3t-in-url@portal.acme.example/';
  portal.allowedHosts = ['sso.acme.example', 'https://login.acme.example/'];
  portal.totp = { periodSeconds: 10, minRemainingMs: 12_000 };
  portal.journeys[0]!.use = { pool: 'main', account: 'dr-a' } as never;
  const error = await expectHarnessError(() => validateConfig(config, 'inline'), 'CONFIG_INVALID');
  assertDetail(error, 'portals[0].baseUrl', 'must not contain a user name or password');
  assertDetail(error, 'portals[0].allowedHosts[1]', 'must be a host name');
  assertDetail(error, 'portals[0].totp.minRemainingMs', 'less than the TOTP period (10000 ms)');
  assertDetail(error, 'portals[0].journeys[0].use', 'set only one of "account" or "pool"');
  assert.equal(error.details.length, 4, error.details.join('\n'));
  assert.ok(!error.details.join('\n').includes('S3cr3t-in-url'));
});

test('demo.certDays needs demo.https: without it there is no certificate to age', () => {
  const at = (demo: unknown): string[] => configProblems({ ...validConfig(), demo }).problems.map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(at({ https: true, certDays: -2 }), []);
  assert.ok(at({ certDays: -2 }).some((p) => p.startsWith('demo.certDays: needs "https": true')), at({ certDays: -2 }).join('\n'));
});

test('ignoreHTTPSErrors: each portal has its own, the top-level value its default', () => {
  const base = validConfig() as { portals: Record<string, unknown>[] };
  const p = base.portals[0] ?? {};
  const parsed = configProblems({ ...base, ignoreHTTPSErrors: true, portals: [p, { ...p, name: 'strict', ignoreHTTPSErrors: false }] }).config;
  assert.deepEqual(parsed?.portals.map((x) => x.ignoreHTTPSErrors), [true, false]);
  assert.deepEqual(configProblems(base).config?.portals.map((x) => x.ignoreHTTPSErrors), [false]);
});

test('session-rotation needs a login with a totp or submit step: nothing else marks where it signs in', () => {
  const base = validConfig();
  const portal = base.portals[0];
  assert.ok(portal);
  const clickOnly = {
    kind: 'login', name: 'click login', use: { pool: 'main' }, steps: [
      { step: 'open', path: '/login' },
      { step: 'fill', target: { label: 'Password' }, value: 'password' },
      { step: 'click', target: { role: 'button', name: 'Sign in' } },
      { step: 'assert', target: { role: 'heading', name: 'Home' } },
    ],
  };
  const rotation = { kind: 'session-rotation', name: 'rotation', use: { pool: 'main' }, login: 'click login', probePath: '/home' };
  const problems = configProblems({ ...base, portals: [{ ...portal, journeys: [...portal.journeys, clickOnly, rotation] }] }).problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(problems.some((p) => /^portals\[0\]\.journeys\[2\]\.login: .*neither a "totp" nor a "submit" step/.test(p)), problems.join('\n'));
});
