/**
 * Cross-references of the session and security checks, which zod cannot express: the
 * login journey each check reuses, and the refusals that protect real accounts (a
 * lockout check locks its account, so it never runs against production).
 */
import { checkKinds } from './schema.ts';
import { checkRoleAccess } from './validate-role-access.ts';

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function checkCheckJourneys(portal: Raw, at: string, add: (path: string, message: string) => void): void {
  const journeys = list(portal.journeys).map(rec);
  const logins = new Map<string, Raw>();
  for (const j of journeys) if (j?.kind === 'login' && typeof j.name === 'string') logins.set(j.name, j);
  journeys.forEach((j, ji) => {
    if (!j || !(checkKinds as readonly unknown[]).includes(j.kind)) return;
    const jat = `${at}.journeys[${ji}]`;
    if (j.kind === 'role-access') return checkRoleAccess(portal, j, jat, at, logins, add);
    const login = typeof j.login === 'string' ? logins.get(j.login) : undefined;
    if (typeof j.login === 'string' && !login) {
      add(`${jat}.login`, `names login journey "${j.login}", but ${at} has no journey of kind "login" with that name (login journeys: ${[...logins.keys()].map((n) => `"${n}"`).join(', ') || 'none'}).`);
    }
    const steps = list(login?.steps).map(rec);
    const has = (step: string): boolean => steps.some((s) => s?.step === step);
    if (login && !has('assert')) add(`${jat}.login`, `login journey "${String(j.login)}" needs an "assert" step: the check must know when it is signed in.`);
    if (login && j.kind === 'session-rotation' && !has('totp') && !has('submit')) {
      add(`${jat}.login`, `login journey "${String(j.login)}" has neither a "totp" nor a "submit" step, so the rotation check cannot tell the session id before sign-in from the one after.`);
    }
    if (login && j.kind === 'logout-ends-session' && !has('logout')) {
      add(`${jat}.login`, `login journey "${String(j.login)}" has no "logout" step, which the logout check needs.`);
    }
    if (login && (j.kind === 'totp-single-use') && !has('totp')) {
      add(`${jat}.login`, `login journey "${String(j.login)}" has no "totp" step, so there is no code to replay.`);
    }
    if (j.kind === 'lockout') {
      if (portal.environment !== 'staging' && portal.environment !== 'test' && portal.environment !== 'demo') {
        add(`${jat}.kind`, `the lockout check locks its account, so it is refused for ${at} (environment "${String(portal.environment)}"); run it only against a portal marked "staging" or "test".`);
      }
      if (rec(j.use)?.account === undefined) add(`${jat}.use`, 'the lockout check needs one dedicated, sacrificial account ("use": { "account": … }), never a pool.');
    }
    if (j.kind === 'idle-expiry' || j.kind === 'absolute-expiry') {
      if (j.tolerance !== undefined && j.expected !== undefined && typeof j.tolerance === 'number' && typeof j.expected === 'number' && j.tolerance >= j.expected) {
        add(`${jat}.tolerance`, 'must be smaller than "expected".');
      }
    }
  });
}
