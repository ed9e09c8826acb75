/**
 * Canary secrets: a password and a TOTP seed planted in the test accounts must appear in
 * no output — console, log, results, plan, JUnit, the HTML report's embedded data —
 * whether the journey passed or failed (failure paths take screenshots and error text).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { allFiles, latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import { textOfRun } from '../helpers/report-text.ts';

const canaryPassword = `Canary-${randomBytes(6).toString('hex')}-Pw!`;
let portal: DemoPortal;
const tmp = tempDir();

before(async () => {
  portal = await startDemoPortal({ https: false, accounts: physicians('canary', 2, () => canaryPassword) });
});
after(async () => {
  await portal.close();
  tmp.cleanup();
});

for (const [label, faults, expectCode] of [['passing', [], 0], ['failing at TOTP', ['totp-always-rejected'], 1]] as const) {
  test(`${label} run leaks no secret anywhere`, async () => {
    portal.setFaults([...faults]);
    const n = label === 'passing' ? 1 : 2;
    const setup = writeProviderConfig(tmp.dir, portal, { accountIds: [`canary${n}`], browsers: ['chromium', 'firefox'], workers: 2 });
    const out = path.join(tmp.dir, `out-${n}`);
    const r = await runCli(['run', '--config', setup.configFile, '--output', out], { cwd: tmp.dir, env: setup.env });
    assert.equal(r.code, expectCode, r.stdout + r.stderr);
    const { run, runDir } = latestRun(out);
    if (expectCode === 1) {
      assert.ok(run.results.every((x) => x.failedStep === 'TOTP'));
      assert.ok(allFiles(runDir).some((f) => f.endsWith('.png')), 'failure screenshots were taken');
    }
    assert.ok(existsSync(path.join(runDir, 'html', 'index.html')));
    assert.ok(readFileSync(path.join(runDir, 'portal-probe.log'), 'utf8').includes('run finished'));
    const seed = portal.accounts.find((a) => a.id === `canary${n}`)?.totpSeed ?? 'missing';
    const texts = [{ file: 'stdout+stderr', text: r.stdout + r.stderr }, ...textOfRun(runDir)];
    assert.ok(texts.some((t) => t.file.includes('!')), 'the HTML report data was unpacked and searched');
    for (const { file, text } of texts) {
      assert.ok(!text.includes(canaryPassword), `password canary found in ${file}`);
      assert.ok(!text.includes(seed), `TOTP seed found in ${file}`);
    }
  });
}
