import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ScureBase32Plugin } from 'otplib';
import { assertSeed, assertTotpParams, DEFAULT_TOTP, timeStep, totpAt, validUntilMs, type TotpParams } from '../../core/totp.ts';

const b32 = (ascii: string): string => new ScureBase32Plugin().encode(new TextEncoder().encode(ascii));
// RFC 6238 Appendix B: the seed is the ASCII digits repeated to the hash's block-ish size.
const SEEDS = {
  sha1: b32('12345678901234567890'),
  sha256: b32('12345678901234567890123456789012'),
  sha512: b32('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;
const RFC_VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

void test('DEFAULT_TOTP matches the common authenticator profile', () => {
  assert.deepEqual({ ...DEFAULT_TOTP }, { periodSeconds: 30, digits: 6, algorithm: 'sha1', acceptedWindow: 0, minRemainingMs: 5000 });
});

void test('RFC 6238 Appendix B vectors (SHA-1, SHA-256, SHA-512; 8 digits)', () => {
  assert.equal(SEEDS.sha1, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  for (const [seconds, sha1, sha256, sha512] of RFC_VECTORS) {
    const step = timeStep(seconds * 1000, 30);
    const p = (algorithm: TotpParams['algorithm']): TotpParams => ({ ...DEFAULT_TOTP, digits: 8, algorithm });
    assert.equal(totpAt(SEEDS.sha1, step, p('sha1')), sha1, `sha1 @ ${seconds}`);
    assert.equal(totpAt(SEEDS.sha256, step, p('sha256')), sha256, `sha256 @ ${seconds}`);
    assert.equal(totpAt(SEEDS.sha512, step, p('sha512')), sha512, `sha512 @ ${seconds}`);
  }
});

void test('timeStep floors at period boundaries', () => {
  assert.equal(timeStep(0, 30), 0);
  assert.equal(timeStep(29_999, 30), 0);
  assert.equal(timeStep(30_000, 30), 1);
  assert.equal(timeStep(59_000, 30), 1);
  assert.equal(timeStep(1_111_111_109_000, 30), 0x23523ec);
  assert.equal(timeStep(3_999, 2), 1);
  assert.equal(timeStep(4_000, 2), 2);
});

/** Independent RFC 4226 implementation on node:crypto, to cross-check 6-digit output. */
function reference(seedAscii: string, step: number, digits: number): number {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', seedAscii).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0xf;
  return (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
}

void test('6-digit codes agree with an independent HOTP implementation and are zero-padded', () => {
  let padded = 0;
  for (let step = 0; step < 300; step++) {
    const code = totpAt(SEEDS.sha1, step, DEFAULT_TOTP);
    assert.match(code, /^\d{6}$/);
    assert.equal(Number(code), reference('12345678901234567890', step, 6), `step ${step}`);
    if (code.startsWith('0')) padded++;
  }
  // ~10% of codes have a leading zero; make sure the padding path was actually exercised.
  assert.ok(padded > 5, `only ${padded} zero-padded codes seen`);
});

void test('validUntilMs is the end of step + acceptedWindow', () => {
  assert.equal(validUntilMs(10, { ...DEFAULT_TOTP, acceptedWindow: 0 }), 330_000);
  assert.equal(validUntilMs(10, { ...DEFAULT_TOTP, acceptedWindow: 1 }), 360_000);
  assert.equal(validUntilMs(10, { ...DEFAULT_TOTP, periodSeconds: 2, acceptedWindow: 2 }), 26_000);
});

void test('assertSeed rejects non-base32 without echoing the seed, accepts display variants', () => {
  for (const bad of ['', '   ', 'GEZDGNBV1Y3TQOJQ', 'not-a-seed!', 'A', 'GEZDGNBVGY3TQOJQ====X']) {
    assert.throws(
      () => assertSeed(bad),
      (e: unknown) => e instanceof Error && e.message === 'TOTP seed is not valid base32' && e.cause === undefined,
      JSON.stringify(bad),
    );
  }
  assert.throws(() => totpAt('GEZDGNBV1Y3TQOJQ', 1, DEFAULT_TOTP), { message: 'TOTP seed is not valid base32' });
  const spaced = SEEDS.sha1.toLowerCase().replace(/(.{4})/g, '$1 ');
  assert.doesNotThrow(() => assertSeed(spaced));
  assert.equal(totpAt(spaced, 1234, DEFAULT_TOTP), totpAt(SEEDS.sha1, 1234, DEFAULT_TOTP));
  // 80-bit seeds (16 base32 characters) are still issued by portals and must work.
  assert.match(totpAt('JBSWY3DPEHPK3PXP', 1, DEFAULT_TOTP), /^\d{6}$/);
});

void test('assertTotpParams rejects parameters that can never yield a usable code', () => {
  assert.doesNotThrow(() => assertTotpParams(DEFAULT_TOTP));
  assert.throws(() => assertTotpParams({ ...DEFAULT_TOTP, minRemainingMs: 30_000 }), /minRemainingMs/);
  assert.doesNotThrow(() => assertTotpParams({ ...DEFAULT_TOTP, acceptedWindow: 1, minRemainingMs: 30_000 }));
  assert.throws(() => assertTotpParams({ ...DEFAULT_TOTP, periodSeconds: 0 }), /periodSeconds/);
  assert.throws(() => assertTotpParams({ ...DEFAULT_TOTP, digits: 5 }), /digits/);
  assert.throws(() => totpAt(SEEDS.sha1, -1, DEFAULT_TOTP), /step/);
});
