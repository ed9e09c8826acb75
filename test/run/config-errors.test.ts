/**
 * Bad input is a harness error: every problem at once with its path, exit 2, nothing run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeJson } from '../helpers/cli.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

test('a config with many mistakes: every one reported with its path, exit 2, nothing run', async () => {
  const file = path.join(tmp.dir, 'bad.json');
  writeJson(file, {
    portals: [{
      name: 'vendor', environment: 'prod', baseUrl: 'ftp://portal.example', allowedHost: [],
      accounts: [{ id: 'a1', role: 'physician', username: 'u', password: 'Hunter2-literal' }],
      journeys: [{ kind: 'login', name: 'j', use: { account: 'nobody' }, steps: [{ step: 'fill', target: { label: 'User' }, value: 'user' }] }],
    }],
    browsers: ['safari'],
    viewports: [{ name: 'phone', device: 'Nokia 3310' }],
    outputDir: path.join(tmp.dir, 'out'),
  });
  const r = await runCli(['run', '--config', file], { cwd: tmp.dir });
  assert.equal(r.code, 2, r.stderr);
  for (const p of ['portals[0].environment', 'portals[0].baseUrl', 'portals[0].accounts[0].password', 'portals[0].journeys[0].steps[0].value', 'browsers[0]']) {
    assert.ok(r.stderr.includes(p), `missing ${p} in:\n${r.stderr}`);
  }
  assert.match(r.stderr, /allowedHost/);
  assert.ok(!r.stderr.includes('Hunter2-literal'), 'a literal secret is not echoed back');
  assert.equal(existsSync(path.join(tmp.dir, 'out')), false, 'nothing ran');
});

test('cross-references are checked too once the shape is right', async () => {
  const file = path.join(tmp.dir, 'refs.json');
  writeJson(file, {
    portals: [{
      name: 'vendor', environment: 'test', baseUrl: 'https://portal.example',
      accounts: [{ id: 'a1', role: 'physician', username: 'u', password: 'env:X_PW' }],
      journeys: [{ kind: 'login', name: 'j', use: { account: 'nobody' }, steps: [{ step: 'totp', target: { label: 'Code' } }] }],
    }],
    viewports: [{ name: 'phone', device: 'Nokia 3310' }],
  });
  const r = await runCli(['validate', '--config', file], { cwd: tmp.dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /portals\[0\]\.journeys\[0\]\.use\.account/);
  assert.match(r.stderr, /viewports\[0\]/);
});

test('invalid JSON names the file and the position', async () => {
  const file = path.join(tmp.dir, 'broken.json');
  writeFileSync(file, '{ "portals": [ }');
  const r = await runCli(['run', '--config', file], { cwd: tmp.dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.json/);
  assert.match(r.stderr, /line 1/);
});

test('a missing secret names the reference, never a value, exit 2', async () => {
  const file = path.join(tmp.dir, 'secrets.json');
  writeJson(file, {
    portals: [{
      name: 'vendor', environment: 'test', baseUrl: 'http://127.0.0.1:9',
      accounts: [{ id: 'a1', role: 'physician', username: 'u', password: 'env:PP_TEST_MISSING_PW', totpSeed: 'env:PP_TEST_SEED' }],
      journeys: [{ kind: 'login', name: 'j', use: { account: 'a1' }, steps: [{ step: 'open' }] }],
    }],
    outputDir: path.join(tmp.dir, 'out2'),
  });
  const canary = 'CANARYSEEDVALUEAAAAAAAAAAAAAAAAA';
  const r = await runCli(['run', '--config', file], { cwd: tmp.dir, env: { PP_TEST_SEED: canary } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /env:PP_TEST_MISSING_PW/);
  assert.ok(!(r.stdout + r.stderr).includes(canary));
});

test('a config file that does not exist, and an unknown option, are usage errors', async () => {
  const a = await runCli(['run', '--config', path.join(tmp.dir, 'nope.ts')], { cwd: tmp.dir });
  assert.equal(a.code, 2);
  assert.match(a.stderr, /nope\.ts/);
  const b = await runCli(['run', '--colour'], { cwd: tmp.dir });
  assert.equal(b.code, 2);
  assert.match(b.stderr, /--colour/);
});

test('the embedded demo config and the shipped examples validate', async () => {
  const a = await runCli(['validate'], { cwd: tmp.dir });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /embedded demo config: valid/);
});
