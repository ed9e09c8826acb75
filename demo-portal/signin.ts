/**
 * The sign-in domain steps both flavours share — password, code, sign-out — with their
 * session rotation, lockout, fault and event rules. Each flavour only decides how to answer
 * (a page and a 303 for the server-rendered one, JSON for the single-page app), so the two
 * can never drift apart on what the portal actually does.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredAccount } from './accounts.ts';
import { isWellFormedSessionId, type Session } from './sessions.ts';
import type { PortalState } from './state.ts';
import { clearSessionCookie, pendingInterstitial, SESSION_COOKIE, setSessionCookie } from './web.ts';

/** `unknown`: no such account, told apart from a wrong password only under the user-enumeration fault (else `invalid`). */
export type PasswordOutcome = 'accepted' | 'invalid' | 'unknown' | 'locked';

/**
 * Checks the password of the account the caller looked up (undefined when unknown) and, on
 * success, starts a pre-auth session and sets its cookie. A not-yet-activated account
 * answers exactly like an unknown one and is never locked.
 */
export async function passwordStep(
  state: PortalState,
  request: FastifyRequest,
  reply: FastifyReply,
  found: StoredAccount | undefined,
  password: string,
): Promise<PasswordOutcome> {
  const account = found?.status === 'active' ? found : undefined;
  // Always one scrypt, so unknown users and wrong passwords take the same time.
  const passwordOk = await state.accounts.checkPassword(account, password);
  if (!account) {
    state.events.record('login-failed', { step: 'login', detail: found ? 'not-activated' : 'unknown-user', ...(found ? { account: found.id } : {}) });
    return !found && state.faults.has('user-enumeration') ? 'unknown' : 'invalid';
  }
  // no-lockout: failures are neither counted nor checked, so guessing never stops.
  const lockoutOn = !state.faults.has('no-lockout');
  if (lockoutOn && state.lockout.isLocked(account.id)) {
    state.events.record('login-locked', { account: account.id, step: 'login', detail: 'attempt-while-locked' });
    return 'locked';
  }
  if (!passwordOk) {
    const outcome = lockoutOn ? state.lockout.recordFailure(account.id, state.lockoutThreshold()) : { locked: false };
    state.events.record('login-failed', { account: account.id, step: 'login', detail: 'wrong-password' });
    if (outcome.locked) {
      state.events.record('login-locked', { account: account.id, step: 'login', detail: 'threshold-reached' });
      return 'locked';
    }
    return 'invalid';
  }

  state.lockout.recordSuccess(account.id);
  const presented = request.cookies[SESSION_COOKIE];
  if (presented !== undefined) state.sessions.destroy(presented);
  // session-not-rotated: adopt whatever id the browser brought — the session-fixation hole.
  const keepId = state.faults.has('session-not-rotated') && presented !== undefined && isWellFormedSessionId(presented);
  const session = state.sessions.createPreAuth(account.id, account.kind, keepId ? presented : undefined);
  state.events.record('password-verified', { account: account.id, step: 'login' });
  state.events.record('session-created', { account: account.id, step: 'login', detail: 'pre-auth' });
  setSessionCookie(state, request, reply, session.id);
  return 'accepted';
}

export type CodeOutcome =
  | { result: 'rejected' }
  | { result: 'replay' }
  /** `next` is the interstitial path ('/notice', '/acknowledge') or undefined for the dashboard. */
  | { result: 'accepted'; session: Session; next: string | undefined };

/**
 * Verifies the TOTP code for a valid pre-auth session; on success the session becomes
 * authenticated under a new id (unless session-not-rotated) and its cookie is set.
 */
export function codeStep(state: PortalState, request: FastifyRequest, reply: FastifyReply, preAuth: Session, account: StoredAccount, code: string): CodeOutcome {
  const outcome = state.totp.verify(account.id, account.totpSeed, code, {
    allowReuse: state.faults.has('totp-reuse-accepted'),
    rejectAll: state.faults.has('totp-always-rejected'),
  });
  if (outcome.result === 'rejected') {
    state.events.record('mfa-rejected', { account: account.id, step: 'mfa' });
    return { result: 'rejected' };
  }
  if (outcome.result === 'replay') {
    state.events.record('mfa-replay', { account: account.id, step: 'mfa' });
    return { result: 'replay' };
  }
  const session = state.sessions.authenticate(preAuth, !state.faults.has('session-not-rotated'));
  session.noticePending = state.faults.has('extra-step');
  state.events.record('mfa-accepted', { account: account.id, step: 'mfa' });
  state.events.record('session-created', { account: account.id, step: 'mfa', detail: 'authenticated' });
  setSessionCookie(state, request, reply, session.id);
  return { result: 'accepted', session, next: pendingInterstitial(state, session) };
}

/** Ends the presented session on the server (unless logout-keeps-session) and clears the cookie either way. */
export function endSession(state: PortalState, request: FastifyRequest, reply: FastifyReply): void {
  const found = state.sessions.lookup(request.cookies[SESSION_COOKIE]);
  if (found.state === 'valid') {
    // logout-keeps-session: the browser forgets the cookie but the server never ends the session.
    if (!state.faults.has('logout-keeps-session')) state.sessions.destroy(found.session.id);
    state.events.record('logout', { account: found.session.accountId, step: 'logout' });
  }
  clearSessionCookie(state, request, reply);
}

/** The account of a valid pre-auth session, i.e. someone between password and code. */
export function pendingCode(state: PortalState, request: FastifyRequest): { session: Session; account: StoredAccount } | { expired: boolean } {
  const found = state.sessions.lookup(request.cookies[SESSION_COOKIE]);
  if (found.state !== 'valid' || found.session.stage !== 'pre-auth') return { expired: found.state === 'expired' };
  const account = state.accounts.get(found.session.accountId);
  return account ? { session: found.session, account } : { expired: false };
}
