/**
 * How the loader finds and reads a config, through real files in temp dirs: which file
 * wins, what a person sees when the file is missing, not JSON, or throws on import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CONFIG_FILE_NAMES, DEMO_SOURCE, loadConfig } from '../../config/load.ts';
import { defineConfigUrl, expectHarnessError, tempDir, validConfig } from './helpers.ts';

const noDemo = (): Promise<unknown> => Promise.reject(new Error('the demo config must not be used when a file exists'));

/** A valid config whose labels say which file it came from. */
function tagged(tag: string): string {
  return JSON.stringify({ ...validConfig(), labels: { from: tag } }, null, 2);
}
const tsModule = (tag: string): string => `export default ${tagged(tag)};\n`;

void test('discovery order is .ts, .mts, .js, .json, then the embedded demo config', async (t) => {
  const tmp = tempDir(t);
  const contents: Record<(typeof CONFIG_FILE_NAMES)[number], string> = {
    'portal-probe.config.ts': tsModule('ts'),
    'portal-probe.config.mts': tsModule('mts'),
    'portal-probe.config.js': tsModule('js'),
    'portal-probe.config.json': tagged('json'),
  };
  for (const name of CONFIG_FILE_NAMES) tmp.write(name, contents[name]);
  const seen: string[] = [];
  const { rmSync } = await import('node:fs');
  for (const name of CONFIG_FILE_NAMES) {
    const loaded = await loadConfig({ cwd: tmp.dir, demoConfig: noDemo });
    assert.equal(loaded.source, path.join(tmp.dir, name));
    assert.equal(loaded.baseDir, tmp.dir);
    seen.push(loaded.config.labels.from ?? '?');
    rmSync(path.join(tmp.dir, name));
  }
  assert.deepEqual(seen, ['ts', 'mts', 'js', 'json']);
  const demo = await loadConfig({ cwd: tmp.dir, demoConfig: () => Promise.resolve(JSON.parse(tagged('demo'))) });
  assert.equal(demo.source, DEMO_SOURCE);
  assert.equal(demo.baseDir, tmp.dir);
  assert.equal(demo.config.labels.from, 'demo');
});

void test('an explicit --config path that does not exist is CONFIG_NOT_FOUND naming the file', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.json', tagged('found')); // must not be picked instead
  const error = await expectHarnessError(() => loadConfig({ configPath: 'configs/missing.ts', cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_NOT_FOUND');
  assert.equal(error.message, 'Config file configs/missing.ts does not exist.');
  tmp.write('configs/.keep', '');
  const dir = await expectHarnessError(() => loadConfig({ configPath: 'configs', cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_NOT_FOUND');
  assert.equal(dir.message, 'Config file configs is a directory; name the config file in it.');
});

void test('an explicit path is relative to cwd and sets baseDir to its directory', async (t) => {
  const tmp = tempDir(t);
  tmp.write('configs/prod.json', tagged('prod'));
  const loaded = await loadConfig({ configPath: 'configs/prod.json', cwd: tmp.dir, demoConfig: noDemo });
  assert.equal(loaded.config.labels.from, 'prod');
  assert.equal(loaded.baseDir, path.join(tmp.dir, 'configs'));
});

void test('invalid JSON names the file, the reason, and the line and column', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.json', '{\n  "portals": [\n    { "name": "acme", }\n  ]\n}\n');
  const error = await expectHarnessError(() => loadConfig({ cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.match(error.message, /^Config file portal-probe\.config\.json is not valid JSON: .+ \(line 3, column 23\)$/);
  assert.doesNotMatch(error.message, /position/);
});

void test('truncated JSON points at the end of the file', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.json', '{\n  "portals": [\n');
  const error = await expectHarnessError(() => loadConfig({ cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.match(error.message, /is not valid JSON: .+ \(line 3, column 1\)$/);
});

void test('a module that throws on import is CONFIG_INVALID naming the file and the error', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.ts', "const region: string = 'eu';\nthrow new Error(`no settings for region ${region}`);\n");
  const error = await expectHarnessError(() => loadConfig({ cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.equal(error.message, 'Config file portal-probe.config.ts could not be loaded: no settings for region eu');
  assert.ok(error.cause instanceof Error);
});

void test('a TypeScript syntax error names the file and the line', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.mts', 'export default { portals: [\n');
  const error = await expectHarnessError(() => loadConfig({ cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.match(error.message, /^Config file portal-probe\.config\.mts could not be loaded: /);
  // The location (esbuild's file:line:column) is in the headline, not lost in a stack.
  assert.match(error.message, /portal-probe\.config\.m?ts:2:0: ERROR: Unexpected end of file$/);
  assert.doesNotMatch([error.message, ...error.details].join('\n'), /namespace=/);
});

void test('a named `config` export and defineConfig both work; no export at all is explained', async (t) => {
  const tmp = tempDir(t);
  tmp.write('named.ts', `export const config = ${tagged('named')};\n`);
  tmp.write('defined.mts', `import { defineConfig } from '${defineConfigUrl}';\nexport default defineConfig(${tagged('defined')} as never);\n`);
  tmp.write('empty.ts', 'export const nothing = 1;\n');
  const named = await loadConfig({ configPath: 'named.ts', cwd: tmp.dir, demoConfig: noDemo });
  assert.equal(named.config.labels.from, 'named');
  const defined = await loadConfig({ configPath: 'defined.mts', cwd: tmp.dir, demoConfig: noDemo });
  assert.equal(defined.config.labels.from, 'defined');
  const error = await expectHarnessError(() => loadConfig({ configPath: 'empty.ts', cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.match(error.message, /empty\.ts has no default export/);
});

void test('trace other than "off" loads, with a warning about secrets in traces', async (t) => {
  const tmp = tempDir(t);
  tmp.write('portal-probe.config.json', JSON.stringify({ ...validConfig(), artifacts: { trace: 'on' } }));
  const loaded = await loadConfig({ cwd: tmp.dir, demoConfig: noDemo });
  assert.equal(loaded.config.artifacts.trace, 'on');
  assert.equal(loaded.warnings.length, 1);
  assert.match(loaded.warnings[0] ?? '', /^artifacts\.trace is "on": traces record everything typed into the page, passwords and TOTP codes included/);
});

void test('an unsupported extension is refused with the extensions that work', async (t) => {
  const tmp = tempDir(t);
  tmp.write('probe.yaml', 'portals: []\n');
  const error = await expectHarnessError(() => loadConfig({ configPath: 'probe.yaml', cwd: tmp.dir, demoConfig: noDemo }), 'CONFIG_INVALID');
  assert.match(error.message, /probe\.yaml has an unsupported extension; use \.ts, \.mts, \.js or \.json/);
});

void test('a budget for a step only a script journey can name is a warning, not an error', async (t) => {
  const tmp = tempDir(t);
  const raw = validConfig();
  raw.portals[0]!.journeys.push({ kind: 'script', name: 'eligibility', use: { pool: 'main' }, file: 'journeys/eligibility.ts' } as never);
  tmp.write('portal-probe.config.json', JSON.stringify({ ...raw, budgets: { 'sign in': 4000, 'check eligibility': 6000 } }));
  const loaded = await loadConfig({ cwd: tmp.dir, demoConfig: noDemo });
  assert.deepEqual(loaded.warnings, [
    'budgets["check eligibility"] matches no named step of a login journey; it only applies if a script journey has a step named "check eligibility".',
  ]);
});
