/**
 * The role-access check against real demo portals, in both flavours: a physician and a
 * billing clerk each sign in with their own account and login journey and ask for what
 * they must reach and what they must be refused. The clean portal passes (pages on the
 * server-rendered flavour, the JSON API on the single-page one); role-access-lost and
 * role-access-leak are Permissions, naming the role, the path and the status. All four
 * cases are portals of one `portal-probe run --checks role-access`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import type { ProbeConfigInput } from '../../config/schema.ts';
import { demoEnvName, providerLoginSteps, spaLoginSteps } from '../../config/demo.config.ts';
import type { JourneyResult } from '../../core/result.ts';
import { latestRun, runCli, tempDir, type CliOutcome } from '../helpers/cli.ts';
import { physicians, secretEnv, writeConfig } from '../helpers/portal-config.ts';

type Flavour = 'classic' | 'spa';
interface Case { name: string; flavour: Flavour; faults: string[]; portal?: DemoPortal }
const cases: Case[] = [
  { name: 'clean-classic', flavour: 'classic', faults: [] },
  { name: 'clean-spa', flavour: 'spa', faults: [] },
  { name: 'lost-classic', flavour: 'classic', faults: ['role-access-lost'] },
  { name: 'leak-spa', flavour: 'spa', faults: ['role-access-leak'] },
];

/** What each role must reach and be refused: pages on the server-rendered flavour, the API on the single-page one (its pages are one shell for everyone). */
const PATHS: Record<Flavour, Record<'physician' | 'billing', { allow: string[]; deny: string[] }>> = {
  classic: { physician: { allow: ['/dashboard', '/labs'], deny: ['/claims'] }, billing: { allow: ['/dashboard', '/claims'], deny: ['/labs'] } },
  spa: { physician: { allow: ['/api/app/me', '/api/app/labs'], deny: ['/api/app/claims'] }, billing: { allow: ['/api/app/me', '/api/app/claims'], deny: ['/api/app/labs'] } },
};

type PortalInput = ProbeConfigInput['portals'][number];
function rolePortal(c: Case, portal: DemoPortal): PortalInput {
  const steps = (landing: string) => (c.flavour === 'spa' ? spaLoginSteps(landing) : providerLoginSteps('username', landing));
  const ref = (id: string) => ({ password: `env:${demoEnvName(id, 'PASSWORD')}`, totpSeed: `env:${demoEnvName(id, 'TOTP')}` });
  const [md, bill] = portal.accounts.map((a) => a.id);
  assert.ok(md && bill);
  return {
    name: c.name, environment: 'test', baseUrl: portal.url,
    totp: { acceptedWindow: 1, minRemainingMs: 3000 },
    accounts: [{ id: md, role: 'physician', username: md, ...ref(md) }, { id: bill, role: 'billing', username: bill, ...ref(bill) }],
    journeys: [
      { kind: 'login', name: 'physician login', use: { account: md }, steps: steps('Dashboard') },
      // The billing clerk lands on Claims in both flavours (a heading of its own in the app, a section on the page).
      { kind: 'login', name: 'billing login', use: { account: bill }, steps: steps('Claims') },
      {
        kind: 'role-access', name: 'role access', roles: [
          { role: 'physician', use: { account: md }, login: 'physician login', ...PATHS[c.flavour].physician },
          { role: 'billing', use: { account: bill }, login: 'billing login', ...PATHS[c.flavour].billing },
        ],
      },
    ],
  };
}

const tmp = tempDir();
let run: CliOutcome;
let results: JourneyResult[] = [];
let wallMs = 0;

before(async () => {
  for (const [i, c] of cases.entries()) {
    const [md] = physicians(`ra${i}md`, 1);
    const [clerk] = physicians(`ra${i}bill`, 1);
    assert.ok(md && clerk);
    c.portal = await startDemoPortal({ https: false, faults: c.faults, accounts: [md, { ...clerk, role: 'billing', displayName: 'Billing Test' }] });
  }
  const env = Object.assign({}, ...cases.map((c) => secretEnv(c.portal!, c.portal!.accounts.map((a) => a.id)))) as Record<string, string>;
  const setup = writeConfig(tmp.dir, cases.map((c) => rolePortal(c, c.portal!)), env, { stepMs: 5000, workers: 2 });
  const started = Date.now();
  run = await runCli(['run', '--config', setup.configFile, '--output', setup.outputDir, '--checks', 'role-access'], {
    cwd: tmp.dir, env: { ...setup.env, PORTAL_PROBE_STATE_DIR: path.join(tmp.dir, 'state') }, timeoutMs: 180_000,
  });
  wallMs = Date.now() - started;
  results = latestRun(setup.outputDir).run.results;
});
after(async () => {
  await Promise.all(cases.map((c) => c.portal?.close()));
  tmp.cleanup();
});

function resultOf(name: string): JourneyResult {
  const found = results.filter((x) => x.portal === name);
  assert.equal(found.length, 1, `${name}: one result (--checks role-access runs no login journey)\n${run.stdout}${run.stderr}`);
  return found[0]!;
}
const measurement = (x: JourneyResult, name: string) => x.check?.measurements.find((m) => m.name === name)?.value;

test('one run: only the role-access checks ran; a failure among them exits 1', () => {
  assert.equal(results.length, cases.length, run.stdout + run.stderr);
  assert.ok(results.every((x) => x.journey === 'role access'));
  assert.equal(run.code, 1, run.stdout + run.stderr);
  console.log(`role-access run: ${(wallMs / 1000).toFixed(1)} s for ${cases.length} portals`);
});

for (const name of ['clean-classic', 'clean-spa']) {
  test(`${name}: every role reaches what it must and is refused the rest`, () => {
    const x = resultOf(name);
    assert.equal(x.outcome, 'passed', `${x.errorMessage ?? ''}\n${run.stdout}`);
    assert.match(x.account ?? '', /^ra\dmd1$/, 'the check names its first role\'s account');
    assert.match(x.check?.requirements.join(' ') ?? '', /V8\.2\.1.*164\.312\(a\)\(1\)/);
    assert.equal(measurement(x, 'paths checked'), 6);
    assert.equal(measurement(x, 'access lost'), 0);
    assert.equal(measurement(x, 'access leaked'), 0);
    const api = name === 'clean-spa' ? '/api/app' : '';
    assert.equal(measurement(x, `physician ${api}/labs`), 200);
    assert.equal(measurement(x, `physician ${api}/claims`), 403);
    assert.equal(measurement(x, `billing ${api}/claims`), 200);
    assert.equal(measurement(x, `billing ${api}/labs`), 403);
    assert.match(x.check?.measured ?? '', new RegExp(`billing: .*${api}/labs HTTP 403`));
  });
}

test('role-access-lost: the physician refused lab results is Permissions, with the path and the status', () => {
  const x = resultOf('lost-classic');
  assert.equal(x.outcome, 'failed');
  assert.equal(x.category, 'permissions');
  assert.equal(x.cause, 'role-access-lost');
  assert.equal(x.failedStep, 'compare with policy');
  assert.match(x.errorMessage ?? '', /role physician was refused \/labs \(HTTP 403\), which it must reach/);
  assert.doesNotMatch(x.errorMessage ?? '', /billing/, 'the other role kept its access');
  assert.equal(measurement(x, 'physician /labs'), 403);
  assert.equal(measurement(x, 'access lost'), 1);
  assert.equal(measurement(x, 'access leaked'), 0);
});

test('role-access-leak: billing reaching the lab results API is Permissions, with the path and the status', () => {
  const x = resultOf('leak-spa');
  assert.equal(x.outcome, 'failed');
  assert.equal(x.category, 'permissions');
  assert.equal(x.cause, 'role-access-leak');
  assert.match(x.errorMessage ?? '', /role billing reached \/api\/app\/labs \(HTTP 200\), which it must be refused/);
  assert.equal(measurement(x, 'billing /api/app/labs'), 200);
  assert.equal(measurement(x, 'access leaked'), 1);
  assert.equal(measurement(x, 'access lost'), 0);
  assert.match(x.action ?? '', /security defect/);
});
