/**
 * Harness overhead: `portal-probe run` (A) against a bare hand-written Playwright script
 * (B, bench/bare-login.ts) doing the same provider login, same Chromium, workers 1, run
 * alternately A B C A B C. C is the same login as B written as a plain Playwright Test
 * suite (bench/bare-test/): Playwright's runner and `page` fixture, nothing of
 * portal-probe's, so the gap A/B splits into the runner's part (C/B) and portal-probe's
 * own (A/C). Each command is timed whole (process start to exit):
 *   start-up cost     = T(1 journey)
 *   per-journey cost  = (T(N) − T(1)) / (N − 1), N = 20
 * Every run gets accounts nobody used before, each account used at most twice (N/2
 * accounts for N logins, so each pays the daily acknowledgment once, in both tools):
 * no run ever waits for a TOTP step.
 *
 *   npx tsx bench/overhead.ts [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoAccount } from '../demo-portal/index.ts';
import { physicians, writeProviderConfig } from '../test/helpers/portal-config.ts';
import { QUICK, ROOT, freshStateDir, header, maxOf, median, portalProbeRun, printTable, scratchDir, secs, timedSpawn } from './lib.ts';

const ROUNDS = QUICK ? 2 : 5;
const N = QUICK ? 8 : 20;
const TARGET_RATIO = 1.15;
type Tool = 'portal-probe' | 'bare' | 'playwright-test';
const TOOLS: Tool[] = ['portal-probe', 'bare', 'playwright-test'];

header(`portal-probe overhead vs bare Playwright (chromium, workers 1, ${ROUNDS} rounds, N=${N})`);
freshStateDir();
const work = scratchDir('pp-bench-overhead-');
const perRound = TOOLS.length * (1 + N / 2);
const seeds = physicians('oh', ROUNDS * perRound);
const portal = await startDemoPortal({ https: false, accounts: seeds });
let next = 0;
/** Accounts nobody has used yet. */
function freshAccounts(n: number): DemoAccount[] {
  const ids = new Set(seeds.slice(next, next + n).map((s) => s.id));
  next += n;
  return portal.accounts.filter((a) => ids.has(a.id));
}

interface Cost { wallMs: number; cpuMs: number; roles: Map<string, number> }

async function runOnce(tool: Tool, journeys: number, tag: string): Promise<Cost> {
  const dir = path.join(work, tag);
  mkdirSync(dir);
  const accounts = freshAccounts(journeys === 1 ? 1 : journeys / 2);
  if (tool === 'portal-probe') {
    const setup = writeProviderConfig(dir, portal, {
      accountIds: accounts.map((a) => a.id), journeys, browsers: ['chromium'], workers: 1, stepMs: 10_000, name: 'bench-portal',
    });
    const r = await portalProbeRun(['--config', setup.configFile], { cwd: dir, outputDir: setup.outputDir, env: setup.env });
    if (r.run.summary.passed !== journeys) throw new Error(`portal-probe: ${r.run.summary.passed}/${journeys} passed\n${r.output}`);
    return { ...r, roles: r.tree.cpuByRole() };
  }
  const file = path.join(dir, 'accounts.json');
  writeFileSync(file, JSON.stringify(accounts.map((a) => ({ username: a.username, password: a.password, totpSeed: a.totpSeed }))), { mode: 0o600 });
  if (tool === 'playwright-test') {
    const cli = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
    const r = await timedSpawn(process.execPath, [cli, 'test', '-c', path.join(ROOT, 'bench', 'bare-test', 'playwright.config.ts')], {
      cwd: dir, env: { BARE_URL: portal.url, BARE_ACCOUNTS: file, BARE_LOGINS: String(journeys), BARE_OUT: path.join(dir, 'test-results') },
    });
    if (r.code !== 0) throw new Error(`the bare Playwright Test suite exited ${r.code}:\n${r.output}`);
    return { ...r, roles: r.tree.cpuByRole() };
  }
  const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = await timedSpawn(process.execPath, [tsx, path.join(ROOT, 'bench', 'bare-login.ts'), '--url', portal.url, '--accounts', file, '--logins', String(journeys)], { cwd: dir });
  if (r.code !== 0) throw new Error(`bare-login exited ${r.code}:\n${r.output}`);
  return { ...r, roles: r.tree.cpuByRole() };
}

const runs: Record<Tool, { one: Cost[]; many: Cost[] }> = { 'portal-probe': { one: [], many: [] }, bare: { one: [], many: [] }, 'playwright-test': { one: [], many: [] } };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const journeys of [1, N]) {
      for (const tool of TOOLS) {
        const t = await runOnce(tool, journeys, `r${round}-${tool}-${journeys}`);
        (journeys === 1 ? runs[tool].one : runs[tool].many).push(t);
        console.log(`round ${round}: ${tool.padEnd(15)} ${String(journeys).padStart(2)} journey(s)  wall ${secs(t.wallMs)}  CPU ${secs(t.cpuMs)}`);
      }
    }
  }
} finally {
  await portal.close();
}

type Measure = 'wallMs' | 'cpuMs' | `role:${string}`;
const pick = (c: Cost, k: Measure): number => (k === 'wallMs' || k === 'cpuMs' ? c[k] : (c.roles.get(k.slice(5)) ?? 0));
const one = (tool: Tool, k: Measure): number[] => runs[tool].one.map((c) => pick(c, k));
const many = (tool: Tool, k: Measure): number[] => runs[tool].many.map((c) => pick(c, k));
/** Per round: (T(N) − T(1)) / (N − 1). */
const perJourney = (tool: Tool, k: Measure): number[] => one(tool, k).map((t1, i) => ((many(tool, k)[i] ?? Number.NaN) - t1) / (N - 1));
const range = (xs: number[]): string => `${secs(Math.min(...xs))} – ${secs(maxOf(xs))}`;
const rows = TOOLS.map((tool) => [
  tool, secs(median(one(tool, 'wallMs'))), range(one(tool, 'wallMs')), secs(median(many(tool, 'wallMs'))),
  secs(median(perJourney(tool, 'wallMs'))), range(perJourney(tool, 'wallMs')),
  secs(median(one(tool, 'cpuMs'))), secs(median(perJourney(tool, 'cpuMs'))),
]);
console.log('');
printTable(['command', 'start-up T(1)', 'T(1) range', `T(${N})`, 'per journey', 'per-journey range', 'CPU T(1)', 'CPU/journey'], rows);
const wallRatio = (a: Tool, b: Tool): number => median(perJourney(a, 'wallMs')) / median(perJourney(b, 'wallMs'));
/** Per round, the two tools' per-journey costs measured minutes apart, then the median over rounds. */
const pairedRatios = (a: Tool, b: Tool): number[] => perJourney(a, 'wallMs').map((x, i) => x / (perJourney(b, 'wallMs')[i] ?? Number.NaN));
const ratio = median(pairedRatios('portal-probe', 'bare'));
const cpuRatio = median(perJourney('portal-probe', 'cpuMs')) / median(perJourney('bare', 'cpuMs'));
console.log(`\nextra fixed start-up of portal-probe: wall ${secs(median(one('portal-probe', 'wallMs')) - median(one('bare', 'wallMs')))}, CPU ${secs(median(one('portal-probe', 'cpuMs')) - median(one('bare', 'cpuMs')))}`);
const roles = [...new Set(TOOLS.flatMap((t) => runs[t].many.flatMap((c) => [...c.roles.keys()])))].sort();
console.log('\nCPU by process role (sampled from /proc, approximate): start-up T(1) and per journey');
printTable(['role', ...TOOLS.flatMap((t) => [`${t} T(1)`, `${t} /journey`])], roles.map((role) => [
  role, ...TOOLS.flatMap((t) => [secs(median(one(t, `role:${role}`))), secs(median(perJourney(t, `role:${role}`)))]),
]));
console.log(`\nper-journey CPU ratio portal-probe/bare: ${cpuRatio.toFixed(2)}× (diagnostic: CPU time is not stretched by other load)`);
const x2 = (r: number): string => `${r.toFixed(2)}×`;
console.log('\nper-journey wall ratios, per round (paired: runs minutes apart) and of the medians over rounds:');
printTable(['ratio', 'per round', 'median of rounds', 'of medians'], ([['portal-probe', 'bare'], ['playwright-test', 'bare'], ['portal-probe', 'playwright-test']] as const).map(([a, b]) => [
  `${a}/${b}`, pairedRatios(a, b).map(x2).join(' '), x2(median(pairedRatios(a, b))), x2(wallRatio(a, b)),
]));
console.log(`per-journey wall ratio portal-probe/bare, median of rounds: ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×) → ${ratio <= TARGET_RATIO ? 'MET' : 'NOT MET'}`);
process.exit(ratio <= TARGET_RATIO ? 0 : 1);
