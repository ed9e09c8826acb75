/**
 * TOTP verification (RFC 6238: HMAC-SHA-1, 6 or 8 digits, 30 s steps unless set otherwise) with the single-use rule of
 * NIST SP 800-63B §5.1.4.2: a code's time step is accepted at most once per account. Only the
 * verifier lives here; generating codes is the harness's job (fixtures) and the tests'.
 */
import { timingSafeEqual } from 'node:crypto';
import { generateSync } from 'otplib';

export const TOTP_PERIOD_S = 30;
/** Steps t-1, t, t+1: tolerates a little clock drift and a code typed at the end of its window. */
const WINDOW = [-1, 0, 1] as const;

/** RFC 6238 allows 6 to 8; authenticator apps offer 6 (the default) and 8. */
export type TotpDigits = 6 | 8;

export type TotpOutcome = { result: 'accepted'; step: number } | { result: 'replay'; step: number } | { result: 'rejected' };

export interface TotpRules {
  /** Fault totp-reuse-accepted: skip the single-use rule. */
  allowReuse: boolean;
  /** Fault totp-always-rejected. */
  rejectAll: boolean;
}

function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class TotpVerifier {
  /** account id → time steps already accepted. */
  private readonly used = new Map<string, Set<number>>();

  private readonly format: RegExp;

  constructor(
    readonly digits: TotpDigits = 6,
    readonly periodS: number = TOTP_PERIOD_S,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.format = new RegExp(`^\\d{${digits}}$`);
  }

  verify(accountId: string, seed: string, code: string, rules: TotpRules): TotpOutcome {
    const token = code.trim();
    if (rules.rejectAll || !this.format.test(token)) return { result: 'rejected' };
    const period = this.periodS;
    const current = Math.floor(this.nowMs() / 1000 / period);
    const digits = this.digits;
    const step = WINDOW.map((d) => current + d).find((s) => sameCode(generateSync({ secret: seed, epoch: s * period, period, digits }), token));
    if (step === undefined) return { result: 'rejected' };
    const used = this.used.get(accountId) ?? new Set<number>();
    if (used.has(step) && !rules.allowReuse) return { result: 'replay', step };
    used.add(step);
    // Steps older than the window can never match again, so they need not be remembered.
    for (const s of used) if (s < current - 1) used.delete(s);
    this.used.set(accountId, used);
    return { result: 'accepted', step };
  }

  clear(): void {
    this.used.clear();
  }
}
