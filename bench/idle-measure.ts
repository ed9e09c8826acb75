/**
 * Measure mode's accuracy and cost: for injected idle timeouts T (default 20 s, 60 s,
 * 120 s; expected = T, as for an unchanged portal) the measured value's error and the
 * wall time taken, as a ratio to T. `--quick` runs 20 s only; `--cut` also measures a
 * timeout cut to T/3 (expected still T), the regression measure mode exists for.
 *   npx tsx bench/idle-measure.ts [--quick] [--cut]
 */
import { startDemoPortal } from '../demo-portal/index.ts';
import { latestRun, runCli, tempDir } from '../test/helpers/cli.ts';
import { physicians } from '../test/helpers/portal-config.ts';
import { writeSecurityConfig } from '../test/helpers/security-config.ts';
import { QUICK, printTable } from './lib.ts';

const cut = process.argv.includes('--cut');
const sizes = QUICK ? [20_000] : [20_000, 60_000, 120_000];
const cases = sizes.flatMap((t) => [{ expected: t, injected: t }, ...(cut ? [{ expected: t, injected: Math.round(t / 3) }] : [])]);

const portal = await startDemoPortal({ https: true, accounts: physicians('bench', 10 * cases.length + 2) });
const tmp = tempDir('pp-bench-idle-');
const rows: string[][] = [];
try {
  for (const [i, c] of cases.entries()) {
    portal.setFaults([`idle-timeout:${c.injected}ms`]);
    const pool = Array.from({ length: 10 }, (_, k) => `bench${i * 10 + k + 1}`);
    const setup = writeSecurityConfig(tmp.dir, portal, {
      pool, lockoutAccount: `bench${10 * cases.length + 1}`, enumAccount: `bench${10 * cases.length + 2}`, only: [],
      extra: [{ kind: 'idle-expiry', name: 'idle measure', use: { pool: 'doctors' }, login: 'physician login', probePath: '/dashboard', expected: c.expected, mode: 'measure', maxSessions: 8 }],
    });
    await runCli(['run', '--config', setup.configFile, '--output', `${tmp.dir}/out-${i}`], { cwd: tmp.dir, env: setup.env, timeoutMs: 3 * c.expected + 180_000 });
    const r = latestRun(`${tmp.dir}/out-${i}`).run.results.find((x) => x.journey === 'idle measure');
    // "60 s (between 59 s and 61 s)", or with minutes: "120 s (between 117 s and 2.0 min)".
    const q = '([\\d.]+) (s|min)';
    const m = new RegExp(`^${q} \\(between ${q} and ${q}\\)`).exec(r?.check?.measured ?? '');
    const sec = (i: number): number => (m ? Number(m[i]) * (m[i + 1] === 'min' ? 60 : 1) : NaN);
    const info = /^(\d+) session\(s\), \d+ probe\(s\), ([\d.]+) (s|min) of wall time(, resolution not reached)?/.exec(r?.check?.details[0] ?? '');
    const searchWall = info ? Number(info[2]) * (info[3] === 'min' ? 60_000 : 1000) : NaN;
    const value = sec(1) * 1000;
    rows.push([
      `${c.expected / 1000} s`, `${c.injected / 1000} s`, m ? `${sec(1)} s` : (r?.check?.measured ?? 'none'), m ? `(${sec(3)}, ${sec(5)}] s` : '—',
      m ? `${((value - c.injected) / 1000).toFixed(2)} s` : '—', m ? `${((100 * Math.abs(value - c.injected)) / c.expected).toFixed(1)} %` : '—',
      info ? (info[4] ? 'no' : 'yes') : '?', info?.[1] ?? '?', Number.isNaN(searchWall) ? '?' : `${(searchWall / 1000).toFixed(0)} s`,
      Number.isNaN(searchWall) ? '?' : (searchWall / c.expected).toFixed(2),
    ]);
    console.log(`done: T=${c.expected / 1000} s injected ${c.injected / 1000} s → ${r?.check?.measured ?? r?.reason ?? 'no result'}`);
  }
} finally {
  await portal.close();
  tmp.cleanup();
}
printTable(['T expected', 'injected', 'measured', 'interval', 'error', 'error/T', 'resolved', 'sessions', 'search wall', 'wall/T'], rows);
console.log('\nsearch wall = from the first sign-in to the last probe (sign-ins included); resolution = 5 % of T.');
