/**
 * A secret must not reach a log file however it gets there: in the message, in an
 * interpolated argument, nested in an object, under a secret-named key, in an error,
 * or in a child's bindings. The log is written to a real file and read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger, flushLogger } from '../../core/logger.ts';
import { createRedactor, redactDeep } from '../../core/redact.ts';
import { HarnessError } from '../../core/errors.ts';
import { expectHarnessError, tempDir } from './helpers.ts';

const CANARY = 'Canary&pw 8x!Q';

void test('secrets are masked in messages, nested fields, secret-named keys, errors and bindings', async (t) => {
  const tmp = tempDir(t);
  const file = path.join(tmp.dir, 'logs', 'run.log');
  const logger = createLogger({ level: 'debug', secrets: [CANARY, 'JBSWY3DPEHPK3PXP'], destination: file });
  logger.info(`login failed for password ${CANARY}`);
  logger.info('interpolated %s here', CANARY);
  logger.info({ step: { detail: { note: `typed ${CANARY}` } } }, 'nested');
  logger.info({ password: 'some-other-pw', account: { totpSeed: 'S33D', id: 'dr-a' }, headers: { cookie: 'sid=abc' } }, 'by key');
  logger.info({ url: `https://sso.example/cb?pw=${encodeURIComponent(CANARY)}` }, 'url-encoded');
  logger.error({ err: new Error(`boom: ${CANARY}`) }, 'error object');
  logger.child({ run: 'r1', check: `c-${CANARY}`, browser: 'webkit' }).warn('from child');
  logger.info({ code: '123456', err: new HarnessError('CONFIG_INVALID', 'bad config') }, 'codes');
  await flushLogger(logger);

  const text = readFileSync(file, 'utf8');
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 8, 'every line is still valid JSON');
  for (const leaked of [CANARY, encodeURIComponent(CANARY), 'some-other-pw', 'S33D', 'sid=abc', '123456']) {
    assert.ok(!text.includes(leaked), `${leaked} leaked into the log:\n${text}`);
  }
  assert.ok(text.includes('[REDACTED]'));
  assert.equal(lines[0]?.msg, 'login failed for password [REDACTED]');
  assert.equal((lines[3]?.account as Record<string, unknown>).id, 'dr-a', 'non-secret fields survive');
  const child = lines[6];
  assert.deepEqual([child?.run, child?.check, child?.browser], ['r1', 'c-[REDACTED]', 'webkit']);
  // An error code is not a TOTP code: it stays readable.
  assert.equal((lines[7]?.err as Record<string, unknown>).code, 'CONFIG_INVALID');
  assert.equal(lines[7]?.code, '[REDACTED]');
});

void test('the redactor masks the longest secret first, URL/form/JSON forms, and skips very short values', () => {
  const redact = createRedactor(['hunter2', 'hunter22', 'abc', 'a b"c\\d']);
  assert.equal(redact('pw=hunter22 or hunter2'), 'pw=[REDACTED] or [REDACTED]');
  assert.equal(redact('q=a%20b%22c%5Cd&f=a+b%22c%5Cd'), 'q=[REDACTED]&f=[REDACTED]');
  assert.equal(redact(JSON.stringify({ v: 'a b"c\\d' })), '{"v":"[REDACTED]"}');
  assert.equal(redact('abc stays: too short to mask without mangling logs'), 'abc stays: too short to mask without mangling logs');
  assert.equal(createRedactor([])('unchanged'), 'unchanged');
});

void test('redactDeep copies JSON-able values with every string masked, keys included', () => {
  const redact = createRedactor(['s3cret-value']);
  const input = { a: ['x s3cret-value y', 1, null, { 's3cret-value': true }], b: { c: 's3cret-value' } };
  const out = redactDeep(input, redact);
  assert.deepEqual(out, { a: ['x [REDACTED] y', 1, null, { '[REDACTED]': true }], b: { c: '[REDACTED]' } });
  assert.equal(input.b.c, 's3cret-value', 'the input is not modified');
});

void test('an unknown log level is a usage error, not a pino stack trace', async () => {
  const error = await expectHarnessError(() => createLogger({ level: 'verbose' }), 'USAGE');
  assert.match(error.message, /Log level "verbose" is not one of trace, debug, info, warn, error, fatal, silent/);
});
