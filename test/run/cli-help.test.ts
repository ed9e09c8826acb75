/**
 * Every command prints its usage on --help (and -h) and exits 0; an unknown option is
 * still a usage error, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../scripts/cli.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.join(' ')); };
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

for (const command of ['init', 'run', 'validate', 'history', 'gate', 'browsers', 'setup', 'demo-portal']) {
  for (const flag of ['--help', '-h']) {
    test(`portal-probe ${command} ${flag} prints its usage and exits 0`, async () => {
      const r = await capture([command, flag]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^Usage: portal-probe ${command}\\b`));
      assert.equal(r.err, '');
    });
  }
}

test('portal-probe help run is the run usage; bare help is the overview, exit 0', async () => {
  assert.match((await capture(['help', 'run'])).out, /^Usage: portal-probe run/);
  const overview = await capture(['help']);
  assert.equal(overview.code, 0);
  assert.match(overview.out, /Commands:[\s\S]*demo-portal/);
});

test('an unknown option is still a usage error (exit 2) naming it', async () => {
  const r = await capture(['run', '--no-such-flag']);
  assert.equal(r.code, 2);
  assert.match(r.err, /no-such-flag/);
});
