/**
 * Pure TOTP arithmetic (RFC 6238). Everything here is a function of its arguments (no
 * clock reads), so the reservation logic can be driven by a fake clock in tests and
 * the step → code mapping can be checked against the RFC's published vectors.
 */
import { createGuardrails, generateSync, ScureBase32Plugin } from 'otplib';

export interface TotpParams {
  periodSeconds: number;
  digits: number;
  algorithm: 'sha1' | 'sha256' | 'sha512';
  /** Steps the server accepts either side of now: 0 = current only, 1 = ±1 (RFC 6238 §5.2 recommends ≤ 1). */
  acceptedWindow: number;
  /** A code needs at least this much validity left to be typed and submitted. */
  minRemainingMs: number;
}

export const DEFAULT_TOTP: TotpParams = Object.freeze({
  periodSeconds: 30,
  digits: 6,
  algorithm: 'sha1',
  acceptedWindow: 0,
  minRemainingMs: 5000,
});

const base32 = new ScureBase32Plugin();

/**
 * otplib refuses seeds shorter than 128 bits (an RFC 4226 rule for whoever *issues*
 * seeds). We are the client and must reproduce whatever the portal issued — 80-bit
 * seeds are still common — so any non-empty seed is accepted.
 */
const guardrails = createGuardrails({ MIN_SECRET_BYTES: 1 });

/** Portals display seeds grouped, lower-cased or padded; the key bytes are the same. */
function normalizeSeed(seed: string): string {
  return seed.replace(/\s+/g, '').replace(/=+$/, '').toUpperCase();
}

/**
 * Throws unless the seed decodes as base32. The message is fixed and there is no
 * `cause`: the decoder's own message quotes the offending character, and a seed must
 * never reach logs or reports, even partially.
 */
export function assertSeed(seed: string): void {
  let ok = false;
  try {
    const normalized = normalizeSeed(seed);
    ok = normalized.length > 0 && /^[A-Z2-7]+$/.test(normalized) && base32.decode(normalized).length > 0;
  } catch {
    ok = false;
  }
  if (!ok) throw new Error('TOTP seed is not valid base32');
}

/** Rejects parameter sets that would silently produce wrong codes or never-usable ones. */
export function assertTotpParams(p: TotpParams): void {
  const problems: string[] = [];
  if (!Number.isInteger(p.periodSeconds) || p.periodSeconds < 1) problems.push('periodSeconds must be a positive integer');
  if (!Number.isInteger(p.digits) || p.digits < 6 || p.digits > 10) problems.push('digits must be an integer from 6 to 10');
  if (!['sha1', 'sha256', 'sha512'].includes(p.algorithm)) problems.push('algorithm must be sha1, sha256 or sha512');
  if (!Number.isInteger(p.acceptedWindow) || p.acceptedWindow < 0) problems.push('acceptedWindow must be a non-negative integer');
  if (!Number.isFinite(p.minRemainingMs) || p.minRemainingMs < 0) problems.push('minRemainingMs must be a non-negative number');
  // The longest a code can ever stay valid is (2w + 1) periods (reserved at the very
  // start of step t for step t + w); asking for more means waiting forever.
  else if (p.minRemainingMs >= (2 * p.acceptedWindow + 1) * p.periodSeconds * 1000) {
    problems.push('minRemainingMs must be shorter than (2 × acceptedWindow + 1) periods');
  }
  if (problems.length > 0) throw new Error(`Invalid TOTP parameters: ${problems.join('; ')}`);
}

/** RFC 6238 §4.2: T = floor((unix time − T0) / X) with T0 = 0. */
export function timeStep(nowMs: number, periodSeconds: number): number {
  return Math.floor(nowMs / (periodSeconds * 1000));
}

/**
 * The code for one time step, zero-padded to `p.digits`. A TOTP code is the HOTP code
 * of the step counter (RFC 6238 §4.2), so the step is passed as the HOTP counter:
 * exact integer arithmetic, no round trip through seconds.
 */
export function totpAt(seed: string, step: number, p: TotpParams): string {
  assertSeed(seed);
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`TOTP step must be a non-negative integer, got ${step}`);
  return generateSync({
    strategy: 'hotp',
    secret: normalizeSeed(seed),
    counter: step,
    algorithm: p.algorithm,
    digits: p.digits,
    guardrails,
  });
}

/**
 * When the server stops accepting `step`'s code: the end of step `step + acceptedWindow`
 * (the server's window then no longer reaches back to it). Exclusive bound — the code is
 * accepted while now < validUntilMs.
 */
export function validUntilMs(step: number, p: TotpParams): number {
  return (step + p.acceptedWindow + 1) * p.periodSeconds * 1000;
}

/** Start of a step in epoch milliseconds. */
export function stepStartMs(step: number, periodSeconds: number): number {
  return step * periodSeconds * 1000;
}
