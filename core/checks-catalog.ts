/**
 * What each session/security check verifies (the requirement ids its result cites),
 * which `--checks` group it belongs to, and how long it will take — so a long check
 * can say so before it starts.
 */
import type { CheckKind, JourneyConfig } from '../config/schema.ts';
import { HarnessError } from './errors.ts';

export type JourneyKind = JourneyConfig['kind'];

export const CHECK_GROUPS: Record<'login' | 'session' | 'security', readonly JourneyKind[]> = {
  login: ['login', 'script'],
  session: ['idle-expiry', 'absolute-expiry', 'logout-ends-session', 'session-rotation'],
  security: ['cookie-policy', 'cache-policy', 'totp-single-use', 'generic-login-errors', 'lockout', 'transport', 'role-access'],
};
const ALL_KINDS: readonly JourneyKind[] = Object.values(CHECK_GROUPS).flat();

/** `--checks session,security,login` (groups or single kinds) → the kinds to run; empty = all. */
export function selectKinds(names: readonly string[]): JourneyKind[] {
  if (names.length === 0) return [...ALL_KINDS];
  const out = new Set<JourneyKind>();
  for (const n of names) {
    if (n in CHECK_GROUPS) CHECK_GROUPS[n as keyof typeof CHECK_GROUPS].forEach((k) => out.add(k));
    else if ((ALL_KINDS as readonly string[]).includes(n)) out.add(n as JourneyKind);
    else throw new HarnessError('USAGE', `--checks: "${n}" is neither a group (login, session, security) nor a check kind (${ALL_KINDS.join(', ')}).`);
  }
  return [...out];
}

export const REQUIREMENTS: Record<CheckKind, string[]> = {
  'idle-expiry': ['OWASP ASVS 5.0 V7.3.1', 'NIST SP 800-63B §7.2 (reauthentication after inactivity)', 'HIPAA §164.312(a)(2)(iii) automatic logoff'],
  'absolute-expiry': ['OWASP ASVS 5.0 V7.3.2', 'NIST SP 800-63B §7.2 (reauthentication)'],
  'logout-ends-session': ['OWASP ASVS 5.0 V7.4.1', 'HIPAA §164.312(a)(2)(iii) automatic logoff'],
  'session-rotation': ['OWASP ASVS 5.0 V7.2.4'],
  'cookie-policy': ['OWASP ASVS 5.0 V3.3.1 (Secure)', 'OWASP ASVS 5.0 V3.3.2 (SameSite)', 'OWASP ASVS 5.0 V3.3.4 (HttpOnly)'],
  'cache-policy': ['OWASP ASVS 5.0 V14.3.2 (anti-caching headers)', 'HIPAA §164.312(a)(1) access control'],
  'totp-single-use': ['NIST SP 800-63B §5.1.4.2', 'OWASP ASVS 5.0 V6.5.1'],
  'generic-login-errors': ['OWASP ASVS 5.0 V6.3.8'],
  lockout: ['OWASP ASVS 5.0 V6.3.1', 'NIST SP 800-63B §5.2.2 (rate limiting)'],
  transport: ['OWASP ASVS 5.0 V12.2.1', 'HIPAA §164.312(e)(1) transmission security'],
  'role-access': ['OWASP ASVS 5.0 V8.2.1 (function-level access)', 'OWASP ASVS 4.0.3 V4.1.3 (least privilege)', 'HIPAA §164.312(a)(1) access control', 'HIPAA §164.308(a)(4) information access management'],
};

export function isCheck(kind: JourneyKind): kind is CheckKind {
  return kind !== 'login' && kind !== 'script';
}

/** Roughly how long a check waits, for the "this will take" notice; undefined for quick ones. */
export function estimateMs(j: JourneyConfig): number | undefined {
  switch (j.kind) {
    case 'idle-expiry': return j.mode === 'measure' ? Math.round(1.25 * j.expected) + 20_000 : j.expected + (j.tolerance ?? defaultTolerance(j.expected));
    case 'absolute-expiry': return j.expected + (j.tolerance ?? defaultTolerance(j.expected));
    case 'lockout': return j.verifyUnlock ? j.duration + 5000 : undefined;
    default: return undefined;
  }
}

/** 5 % of the expected value, at least one second: timers on real servers are coarse. */
export function defaultTolerance(expectedMs: number): number {
  return Math.max(1000, Math.round(expectedMs * 0.05));
}

/**
 * Several durations in one unit, with as many decimals as the spread between them needs:
 * a measured interval of 19.6–20.2 s reads "19.6 s" and "20.2 s", not "20 s" and "20 s".
 */
export function formatDurations(values: readonly number[]): string[] {
  const hi = Math.max(...values);
  const [unit, name] = hi < 600_000 ? [1000, 's'] : hi < 36_000_000 ? [60_000, 'min'] : [3_600_000, 'h'];
  const spread = (hi - Math.min(...values)) / unit;
  const decimals = spread === 0 || spread >= 10 ? (hi / unit < 10 ? 1 : 0) : spread >= 0.5 ? 1 : 2;
  return values.map((v) => `${(v / unit).toFixed(decimals)} ${name}`);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
