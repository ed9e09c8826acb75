/**
 * The newcomer's path, as the README's "Install it in your own repository" shows it:
 * portal-probe packed with `npm pack`, installed from the tarball into a project of its own
 * — one without "type": "module" (CommonJS: the harder case) and one with it — a TypeScript
 * config and script journey there that import from 'portal-probe', `npx portal-probe
 * validate` and `run` against a demo portal; `portal-probe init` in such a project; and the
 * package's types, checked by tsc in the CommonJS project.
 *
 * npm stays offline and quick: each project's node_modules is first seeded with a copy of
 * this checkout's production dependencies (the versions npm would pick, already resolved,
 * with their command links), so `npm install <tarball>` only adds portal-probe; anything
 * still missing comes from npm's cache (--prefer-offline), else the registry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { demoEnvName } from '../../config/demo.config.ts';
import { findBrowser } from '../../core/browsers.ts';
import { EXAMPLE_JOURNEY } from '../../scripts/init.ts';
import { latestRun, ROOT, tempDir, type CliOutcome } from '../helpers/cli.ts';
import { physicians, secretEnv } from '../helpers/portal-config.ts';

const tmp = tempDir('pp-package-');
const chromium = findBrowser('chromium');
const noChromium = chromium.available ? false : `chromium is not available: ${chromium.reason}`;
let portal: DemoPortal;
let tarball: string;

/** The environment for npm and the installed CLI: this checkout's npm settings (set when the suite runs under `npm test`) must not leak into the new project. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig)$/i.test(k)) delete env[k];
  return env;
}

function exec(cmd: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliOutcome> {
  const child = spawn(cmd, args, { cwd: o.cwd, env: childEnv(o.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr });
    });
  });
}

/** `npx portal-probe …` as the user types it; `--no` so npx never fetches a package of that name from the registry instead. */
function portalProbe(args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<CliOutcome> {
  return exec('npx', ['--no', 'portal-probe', ...args], o);
}

/** Copies this checkout's production dependencies (and their command links) into `project`/node_modules. */
function seedDependencies(project: string): void {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const from = path.join(ROOT, 'node_modules');
  const to = path.join(project, 'node_modules');
  const copied = new Set<string>();
  for (const [key, meta] of Object.entries(lock.packages)) {
    const name = key.slice('node_modules/'.length);
    // Top-level packages only: each copy brings its own nested node_modules along.
    if (!key.startsWith('node_modules/') || name.includes('node_modules/') || meta.dev) continue;
    if (!existsSync(path.join(from, name))) continue; // an optional package for another platform
    cpSync(path.join(from, name), path.join(to, name), { recursive: true, verbatimSymlinks: true });
    copied.add(name);
  }
  mkdirSync(path.join(to, '.bin'), { recursive: true });
  for (const bin of readdirSync(path.join(from, '.bin'))) {
    const target = readlinkSync(path.join(from, '.bin', bin)); // e.g. ../tsx/dist/cli.mjs
    const parts = target.replace(/^\.\.\//, '').split('/');
    const owner = parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    if (copied.has(owner)) symlinkSync(target, path.join(to, '.bin', bin));
  }
}

/** A project of the user's own, with portal-probe installed from the tarball. */
async function installedProject(name: string, type: 'module' | undefined): Promise<string> {
  const project = path.join(tmp.dir, name);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, ...(type ? { type } : {}) }, null, 2)}\n`);
  const started = Date.now();
  seedDependencies(project);
  const r = await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const took = Date.now() - started;
  assert.ok(took < 60_000, `installing took ${took} ms`);
  assert.ok(existsSync(path.join(project, 'node_modules', '.bin', 'portal-probe')), 'the bin is linked');
  assert.equal((JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies?.['portal-probe']?.startsWith('file:'), true);
  return project;
}

interface ScriptJourneyEntry { name: string; account: string; file: string }

/** A config as a user writes one: TypeScript, imports from 'portal-probe', secrets as env: references; and the journey it names first. */
function writeUserConfig(project: string, journeys: ScriptJourneyEntry[]): void {
  const accounts = journeys.map((j) => `      { id: '${j.account}', role: 'physician', username: '${j.account}',
        password: env('${demoEnvName(j.account, 'PASSWORD')}'), totpSeed: env('${demoEnvName(j.account, 'TOTP')}') },`);
  const entries = journeys.map((j) => `      { kind: 'script', name: '${j.name}', use: { account: '${j.account}' }, file: '${j.file}' },`);
  writeFileSync(path.join(project, 'portal-probe.config.ts'), `import { defineConfig, env } from 'portal-probe';

export default defineConfig({
  portals: [{
    name: 'installed', environment: 'test', baseUrl: ${JSON.stringify(portal.url)},
    totp: { acceptedWindow: 1, minRemainingMs: 3000 },
    accounts: [
${accounts.join('\n')}
    ],
    journeys: [
${entries.join('\n')}
    ],
  }],
  browsers: ['chromium'],
  viewports: ['desktop'],
  timeouts: { stepMs: 10_000, journeyMs: 90_000 },
  workers: 2,
});
`);
  mkdirSync(path.join(project, 'journeys', 'lib'), { recursive: true });
  // A helper of the user's own, imported by the journey with a relative path.
  writeFileSync(path.join(project, 'journeys', 'lib', 'portal.ts'), `export const LANDING = 'Dashboard';\n`);
  writeFileSync(path.join(project, 'journeys', 'login.journey.ts'), `import { defineJourney, type ProbeSession } from 'portal-probe';
import { LANDING } from './lib/portal.ts';

async function signIn(probe: ProbeSession): Promise<void> {
  const page = probe.page;
  await page.getByLabel('Username or NPI').fill(probe.account.username);
  await page.getByLabel('Password', { exact: true }).fill(probe.account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Verification code').waitFor();
}

export default defineJourney({
  steps: ['open', 'sign in', 'code', 'dashboard', 'sign out'],
  async run(probe) {
    const page = probe.page;
    await probe.step('open', async () => {
      await page.goto(probe.url('/login'));
      await page.getByLabel('Username or NPI').waitFor();
    });
    await probe.step('sign in', () => signIn(probe));
    const code = await probe.totpCode();
    await probe.step('code', async () => {
      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      const acknowledgment = page.getByRole('heading', { name: 'Daily security acknowledgment' });
      await acknowledgment.or(page.getByRole('heading', { name: LANDING })).waitFor();
      if (await acknowledgment.isVisible()) {
        await page.getByLabel('I acknowledge').check();
        await page.getByRole('button', { name: 'Continue' }).click();
      }
    });
    await probe.step('dashboard', () => page.getByRole('heading', { name: LANDING }).waitFor());
    await probe.step('sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
    });
  },
});
`);
}

function assertPassedWithTimedSteps(project: string, journeys: string[]): void {
  const { run } = latestRun(path.join(project, '.portal-probe', 'results'));
  assert.deepEqual(run.results.map((r) => r.journey).sort(), [...journeys].sort());
  for (const r of run.results) {
    assert.equal(r.outcome, 'passed', `${r.journey}: ${r.outcome} ${r.reason ?? r.errorMessage ?? ''}`);
    assert.equal(r.browser.name, 'chromium');
    assert.deepEqual(r.steps.map((s) => s.name), ['open', 'sign in', 'code', 'dashboard', 'sign out']);
    for (const s of r.steps) {
      assert.equal(s.status, 'passed', `${r.journey} › ${s.name}`);
      assert.ok(typeof s.durationMs === 'number' && s.durationMs > 0, `${r.journey} › ${s.name} is timed: ${s.durationMs}`);
    }
  }
}

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('pkg', 3) });
  const r = await exec('npm', ['pack', '--pack-destination', tmp.dir, '--json'], { cwd: ROOT, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const [packed] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed);
  tarball = path.join(tmp.dir, packed.filename);
  const files = packed.files.map((f) => f.path);
  for (const needed of ['bin/portal-probe.js', 'index.ts', 'playwright.config.ts', 'checks/login.spec.ts', 'fixtures/probe.ts', 'core/plan.ts',
    'config/define-config.ts', 'reporters/results-reporter.ts', 'scripts/cli.ts', 'scripts/init.ts', 'demo-portal/index.ts', 'demo-portal/public/portal.css']) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  for (const dir of ['test/', 'bench/', '.ci/']) assert.ok(!files.some((f) => f.startsWith(dir)), `the tarball holds nothing of ${dir}`);
});
after(async () => {
  await portal?.close();
  tmp.cleanup();
});

describe('installed in a project without "type": "module" (CommonJS)', () => {
  let project: string;
  before(async () => {
    project = await installedProject('user-cjs', undefined);
    // Beside the user's own journey, the example journey portal-probe init writes.
    writeFileSync(path.join(project, 'example.journey.ts'), EXAMPLE_JOURNEY);
    writeUserConfig(project, [
      { name: 'scripted login', account: 'pkg1', file: 'journeys/login.journey.ts' },
      { name: 'example journey', account: 'pkg2', file: 'example.journey.ts' },
    ]);
  });

  test('npx portal-probe validate loads the TypeScript config that imports from "portal-probe"', async () => {
    const r = await portalProbe(['validate'], { cwd: project, env: secretEnv(portal, ['pkg1', 'pkg2']) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /portal-probe\.config\.ts: valid — 1 portal\(s\), 2 journey\(s\), browsers chromium/);
  });

  test('npx portal-probe run runs the TypeScript script journeys, every step timed', { skip: noChromium }, async () => {
    const r = await portalProbe(['run', '--browsers', 'chromium'], { cwd: project, env: secretEnv(portal, ['pkg1', 'pkg2']) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertPassedWithTimedSteps(project, ['scripted login', 'example journey']);
  });

  test('npx portal-probe init writes a starter that validates, and will not overwrite it', async () => {
    const dir = path.join(project, 'starter');
    mkdirSync(dir);
    const r = await portalProbe(['init'], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const config = readFileSync(path.join(dir, 'portal-probe.config.ts'), 'utf8');
    const journey = readFileSync(path.join(dir, 'journeys', 'example.journey.ts'), 'utf8');
    assert.match(config, /from 'portal-probe'/);
    assert.match(config, /password: env\('PP_DEMO_DR_RIVERA_PASSWORD'\)/);
    assert.match(journey, /import \{ defineJourney \} from 'portal-probe'/);
    assert.match(r.stdout, /Wrote portal-probe\.config\.ts and journeys.example\.journey\.ts\./);
    assert.match(r.stdout, /portal-probe\.config\.ts: valid — 1 portal\(s\), 2 journey\(s\)/);
    assert.match(r.stdout, /Next:[\s\S]*npx portal-probe run/);

    const again = await portalProbe(['init'], { cwd: dir });
    assert.equal(again.code, 2, again.stdout + again.stderr);
    assert.match(again.stderr, /^portal-probe: portal-probe\.config\.ts already exists in .*; portal-probe init writes new files only/);
    assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);
    assert.equal(readFileSync(path.join(dir, 'portal-probe.config.ts'), 'utf8'), config, 'the existing config is untouched');
  });

  test('its types: tsc accepts the config and journeys, and rejects a wrong config', async () => {
    writeFileSync(path.join(project, 'types-check.ts'), `import { defineConfig, defineJourney } from 'portal-probe';
// @ts-expect-error an environment is production, staging, test or demo
defineConfig({ portals: [{ name: 'x', environment: 'prod', baseUrl: 'https://portal.example', accounts: [], journeys: [] }] });
// @ts-expect-error a journey has a run()
defineJourney({ steps: ['open'] });
`);
    // What a TypeScript project that runs its files with tsx has; @types/node and tsc are borrowed from this checkout.
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true,
        skipLibCheck: true, typeRoots: [path.join(ROOT, 'node_modules', '@types')], types: ['node'],
      },
      include: ['*.ts', 'journeys/**/*.ts', 'starter/**/*.ts'],
    }, null, 2));
    const r = await exec(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});

describe('installed in a project with "type": "module"', () => {
  let project: string;
  before(async () => {
    project = await installedProject('user-esm', 'module');
    writeUserConfig(project, [{ name: 'scripted login', account: 'pkg3', file: 'journeys/login.journey.ts' }]);
  });

  test('npx portal-probe validate, then run: the script journey passes, every step timed', { skip: noChromium }, async () => {
    const env = secretEnv(portal, ['pkg3']);
    const v = await portalProbe(['validate'], { cwd: project, env });
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /portal-probe\.config\.ts: valid — 1 portal\(s\), 1 journey\(s\)/);
    const r = await portalProbe(['run', '--browsers', 'chromium'], { cwd: project, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertPassedWithTimedSteps(project, ['scripted login']);
  });
});
