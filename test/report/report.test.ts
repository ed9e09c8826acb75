/**
 * `portal-probe report` on a run set recorded in a real store file: the JSON against its
 * published JSON Schema (with ajv, an independent validator), the Markdown's counts against
 * the JSON's, the "since" of a failure from the history, and the HTML opened from disk in
 * real Chromium and Firefox: every cell and chart rendered, no console error, no request
 * but the file itself; a screenshot of it and a PDF print saved under the report folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Page } from '@playwright/test';
import { openStore, fromRun } from '../../store/index.ts';
import { reportJsonSchema, type Report } from '../../report/schema.ts';
import { ROOT, runCli, tempDir } from '../helpers/cli.ts';
import { launcher } from '../helpers/browsers.ts';
import { runSet } from '../helpers/report-data.ts';

// A 1×1 PNG: the failure screenshot the report embeds.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

test('the report of a run set from the store: JSON to schema, Markdown to JSON, since, and the HTML in Chromium and Firefox', { timeout: 300_000 }, async (t) => {
  const tmp = tempDir('pp-report-');
  t.after(tmp.cleanup);
  const cwd = tmp.dir;
  const shot = path.join(cwd, 'failure.png');
  writeFileSync(shot, PNG);
  // Ten daily runs; Firefox fails login 1 at TOTP from the 8th (2026-11-08) on; WebKit has no build.
  const runs = runSet({ runs: 10, absent: ['webkit'], failing: { cell: 'firefox/desktop', journey: 0, fromRun: 7 }, labels: { vendorVersion: '2026.3' }, screenshot: shot });
  const store = await openStore('.portal-probe/history.db', cwd);
  for (const r of runs) await store.record(fromRun(r));
  await store.close();

  const out = await runCli(['report', '--label', 'vendorVersion=2026.3', '--output', 'report'], { cwd });
  assert.equal(out.code, 0, out.stdout + out.stderr);
  const dir = path.join(cwd, 'report');
  const json = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;

  await t.test('the JSON validates against report/report.schema.json, which is current', () => {
    const file = JSON.parse(readFileSync(path.join(ROOT, 'report', 'report.schema.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(file, JSON.parse(JSON.stringify(reportJsonSchema())), 'report.schema.json is stale: run "tsx scripts/report-schema.ts"');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(file);
    assert.ok(validate(json), JSON.stringify(validate.errors?.slice(0, 3)));
    // The validator does reject a report that breaks the schema.
    assert.equal(validate({ ...json, summary: { ...json.summary, cells: 'thirty' } }), false);
  });

  await t.test('the matrix, summary and since', () => {
    assert.equal(json.runs.length, 10);
    // 2 journeys × 4 cells + 1 check in one cell.
    assert.equal(json.summary.cells, 9);
    assert.equal(json.summary.failed, 1);
    assert.equal(json.summary.notRun, 2);
    assert.equal(json.summary.passed, 6);
    const failing = json.rows.find((r) => r.journey === 'login 1')?.cells.find((c) => c.column === 'firefox/desktop');
    assert.equal(failing?.outcome, 'failed');
    assert.equal(failing?.failedStep, 'TOTP');
    assert.equal(failing?.since?.slice(0, 10), '2026-11-08');
    assert.deepEqual(failing?.counts, { passed: 7, degraded: 0, failed: 3, error: 0, notRun: 0 });
    assert.ok(failing?.screenshot && existsSync(path.join(dir, failing.screenshot)));
    assert.ok(json.summary.lines.some((l) => l.startsWith('Firefox (desktop) fails at TOTP since 2026-11-08')), json.summary.lines.join('\n'));
    assert.ok(json.summary.lines.some((l) => /^WebKit not run \(webkit not found/.test(l)), json.summary.lines.join('\n'));
    // Never a pass for a browser that did not run.
    assert.ok(json.rows.flatMap((r) => r.cells).filter((c) => c.column.startsWith('webkit')).every((c) => c.outcome === 'not-run' && c.counts.passed === 0));
    const signIn = json.rows[0]?.cells[0]?.steps.find((s) => s.name === 'sign in');
    assert.equal(signIn?.samples, 10);
    assert.equal(signIn?.budgetMs, 1500);
    const check = json.rows.find((r) => r.kind === 'cookie-policy');
    assert.deepEqual(check?.requirements, ['HIPAA-164.312(a)(2)(iii)', 'OWASP-ASVS-3.4.1']);
    assert.equal(check?.cells[0]?.measurements[0]?.name, 'session cookies');
    assert.deepEqual(json.labels, { vendorVersion: ['2026.3'] });
    assert.equal(json.trends.find((x) => x.row === 'demo › login 1' && x.column === 'firefox/desktop')?.points.length, 10);
  });

  await t.test('the Markdown has the JSON\'s counts', () => {
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    const counts = /^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$/m.exec(md);
    const s = json.summary;
    assert.deepEqual(counts?.slice(1).map(Number), [s.cells, s.passed, s.degraded, s.failed, s.error, s.notRun]);
    const lines = md.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| Journey or check |'));
    const end = lines.findIndex((l, i) => i > head && l.trim() === '');
    const matrix = lines.slice(head + 2, end);
    assert.equal(matrix.length, json.rows.length);
    const tally = (sym: string): number => matrix.reduce((n, l) => n + l.split(' | ').filter((c) => c.startsWith(sym)).length, 0);
    assert.deepEqual([tally('✓'), tally('!'), tally('✗'), tally('⚠'), tally('–')], [s.passed, s.degraded, s.failed, s.error, s.notRun]);
    for (const line of s.lines) assert.ok(md.includes(line.replace(/\|/g, '\\|')), line);
  });

  for (const name of ['chromium', 'firefox'] as const) {
    const l = launcher(name);
    await t.test(`the HTML opens from disk in ${name}: cells and charts rendered, no console error, no network`, { skip: l.skip }, async () => {
      const browser = await l.launch();
      try {
        const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('request', (r) => requests.push(r.url()));
        const url = pathToFileURL(path.join(dir, 'report.html')).href;
        await page.goto(url);
        assert.equal(await page.locator('td.cell').count(), json.summary.cells);
        assert.equal(await page.locator('table.matrix thead th[scope=col]').count(), json.columns.length + 1);
        assert.equal(await page.locator('table.matrix tbody th[scope=row]').count(), json.rows.length);
        const failed = page.locator('td.cell', { hasText: 'Failed' });
        assert.equal(await failed.count(), json.summary.failed);
        assert.match(await failed.first().innerText(), /at TOTP[\s\S]*since 2026-11-08/);
        // Charts: one per cell with timings, one trend per cell; each drawn with a size.
        const charts = page.locator('svg.chart.steps');
        assert.equal(await charts.count(), json.rows.reduce((n, r) => n + r.cells.filter((c) => c.steps.some((s) => s.samples > 0)).length, 0));
        assert.equal(await page.locator('svg.chart.trend').count(), json.trends.length);
        for (const box of await Promise.all((await page.locator('svg.chart').all()).map((c) => c.boundingBox()))) assert.ok(box && box.width > 100 && box.height > 20);
        assert.ok(await page.locator('svg.chart.steps rect.box').count() > 0);
        // The embedded screenshot decoded (a data: URI, not a request).
        assert.equal(await page.locator('.shot img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), 1);
        assert.deepEqual(problems, []);
        // Nothing but the document itself (which Firefox does not report as a request).
        assert.deepEqual(requests.filter((u) => u !== url), []);
        await page.screenshot({ path: path.join(dir, `report-${name}.png`), fullPage: true });
        assert.ok(statSync(path.join(dir, `report-${name}.png`)).size > 10_000);
        if (name === 'chromium') {
          // The print stylesheet: a PDF someone can attach to a contract review.
          await page.emulateMedia({ media: 'print' });
          const pdf = await page.pdf({ path: path.join(dir, 'report.pdf'), format: 'A4', landscape: true, printBackground: true });
          assert.ok(pdf.subarray(0, 5).toString() === '%PDF-' && pdf.length > 20_000, `pdf of ${pdf.length} bytes`);
        }
      } finally {
        await browser.close();
      }
    });
  }

  await t.test('bad input: a clear sentence naming the flag or run, exit 2', async () => {
    const badDate = await runCli(['report', '--since', 'last tuesday'], { cwd });
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /--since last tuesday is not a date/);
    const noRun = await runCli(['report', '--run', 'no-such-run'], { cwd });
    assert.equal(noRun.code, 2);
    assert.match(noRun.stderr, /No run in .*history\.db matches run no-such-run\./);
    const noStore = await runCli(['report', '--store', 'missing.db'], { cwd });
    assert.equal(noStore.code, 2);
    assert.match(noStore.stderr, /No history store at .*missing\.db/);
    assert.equal(existsSync(path.join(cwd, 'missing.db')), false, 'report created a store');
  });
});
