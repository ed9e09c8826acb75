/**
 * Sign-in, two-step verification and sign-out, shared by the provider and patient flavours.
 * The answers here are what the authentication checks classify, so wording and status codes
 * are part of the contract (README.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeDuration } from '../durations.ts';
import { loginPath, renderLoginPage, renderMfaPage } from '../pages/login.ts';
import { isWellFormedSessionId } from '../sessions.ts';
import type { PortalState } from '../state.ts';
import type { AccountKind } from '../types.ts';
import { clearSessionCookie, field, noStore, pendingInterstitial, seeOther, sendHtml, SESSION_COOKIE, setSessionCookie } from '../web.ts';

export const INVALID_CREDENTIALS = 'Invalid username or password.';
export const WRONG_CODE = 'The verification code is incorrect or has expired.';
export const REUSED_CODE = 'That code has already been used. Wait for a new code.';

/** Browsers resolve every *.localhost name to loopback, so this "other site" needs no DNS. */
export const LOOKALIKE_HOST = 'login-portal.localhost';

export function lockedMessage(lockoutMs: number): string {
  return `Your account is locked. Try again in ${describeDuration(lockoutMs)} or contact the help desk.`;
}

function notices(flavour: AccountKind, query: unknown): string | undefined {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  if (q['signed-out'] === '1') return 'You have signed out.';
  if (q['expired'] === '1') return 'Your session has expired. Please sign in again.';
  if (flavour === 'patient' && q['activated'] === '1') return 'Your account is activated. Sign in with your new password.';
  return undefined;
}

export function registerAuthRoutes(app: FastifyInstance, state: PortalState): void {
  const loginPage = (request: FastifyRequest, flavour: AccountKind, text: { error?: string; notice?: string }): string => {
    // The look-alike keeps scheme and port, so only the host name betrays it.
    const actionOverride = state.faults.has('lookalike-redirect')
      ? `${request.protocol}://${LOOKALIKE_HOST}:${request.socket.localPort ?? ''}${loginPath(flavour)}`
      : undefined;
    return renderLoginPage({
      flavour,
      ...text,
      selectorChange: state.faults.has('selector-change'),
      cookieBanner: state.faults.has('narrow-viewport-break'),
      ...(actionOverride === undefined ? {} : { actionOverride }),
    });
  };

  const showLogin = (flavour: AccountKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const notice = notices(flavour, request.query);
    return sendHtml(reply, 200, loginPage(request, flavour, notice === undefined ? {} : { notice }));
  };

  const submitLogin = (flavour: AccountKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = state.accounts.findForLogin(field(request, 'username'), flavour);
    // A not-yet-activated account answers exactly like an unknown one and is never locked.
    const account = found?.status === 'active' ? found : undefined;
    const passwordOk = await state.accounts.checkPassword(account, field(request, 'password'));
    const locked = (): FastifyReply => sendHtml(reply, 423, loginPage(request, flavour, { error: lockedMessage(state.settings.lockoutMs) }));
    const invalid = (): FastifyReply => sendHtml(reply, 401, loginPage(request, flavour, { error: INVALID_CREDENTIALS }));

    if (!account) {
      state.events.record('login-failed', { step: 'login', detail: found ? 'not-activated' : 'unknown-user', ...(found ? { account: found.id } : {}) });
      return invalid();
    }
    if (state.lockout.isLocked(account.id)) {
      state.events.record('login-locked', { account: account.id, step: 'login', detail: 'attempt-while-locked' });
      return locked();
    }
    if (!passwordOk) {
      const outcome = state.lockout.recordFailure(account.id);
      state.events.record('login-failed', { account: account.id, step: 'login', detail: 'wrong-password' });
      if (outcome.locked) {
        state.events.record('login-locked', { account: account.id, step: 'login', detail: 'threshold-reached' });
        return locked();
      }
      return invalid();
    }

    state.lockout.recordSuccess(account.id);
    const presented = request.cookies[SESSION_COOKIE];
    if (presented !== undefined) state.sessions.destroy(presented);
    // session-not-rotated: adopt whatever id the browser brought — the session-fixation hole.
    const keepId = state.faults.has('session-not-rotated') && presented !== undefined && isWellFormedSessionId(presented);
    const session = state.sessions.createPreAuth(account.id, flavour, keepId ? presented : undefined);
    state.events.record('password-verified', { account: account.id, step: 'login' });
    state.events.record('session-created', { account: account.id, step: 'login', detail: 'pre-auth' });
    setSessionCookie(state, request, reply, session.id);
    return seeOther(reply, '/mfa');
  };

  app.get('/', async (_request, reply) => reply.redirect('/login', 302));
  app.get('/login', { config: { step: 'login-page' } }, showLogin('provider'));
  app.get('/patient/login', { config: { step: 'login-page' } }, showLogin('patient'));
  app.post('/login', { config: { step: 'login' } }, submitLogin('provider'));
  app.post('/patient/login', { config: { step: 'login' } }, submitLogin('patient'));

  app.get('/mfa', { config: { step: 'mfa-page' } }, async (request, reply) => {
    const found = state.sessions.lookup(request.cookies[SESSION_COOKIE]);
    if (found.state !== 'valid') return seeOther(reply, '/login');
    if (found.session.stage === 'authenticated') return seeOther(reply, '/dashboard');
    noStore(state, reply);
    return sendHtml(reply, 200, renderMfaPage({ boxes: state.settings.otpBoxes }));
  });

  app.post('/mfa', { config: { step: 'mfa' } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    const found = state.sessions.lookup(cookie);
    if (found.state !== 'valid' || found.session.stage !== 'pre-auth') {
      return seeOther(reply, found.state === 'expired' ? '/login?expired=1' : '/login');
    }
    const account = state.accounts.get(found.session.accountId);
    if (!account) return seeOther(reply, '/login');
    noStore(state, reply);
    const outcome = state.totp.verify(account.id, account.totpSeed, field(request, 'otp'), {
      allowReuse: state.faults.has('totp-reuse-accepted'),
      rejectAll: state.faults.has('totp-always-rejected'),
    });
    const again = (error: string): FastifyReply => sendHtml(reply, 401, renderMfaPage({ boxes: state.settings.otpBoxes, error }));
    if (outcome.result === 'rejected') {
      state.events.record('mfa-rejected', { account: account.id, step: 'mfa' });
      return again(WRONG_CODE);
    }
    if (outcome.result === 'replay') {
      state.events.record('mfa-replay', { account: account.id, step: 'mfa' });
      return again(REUSED_CODE);
    }
    const session = state.sessions.authenticate(found.session, !state.faults.has('session-not-rotated'));
    session.noticePending = state.faults.has('extra-step');
    state.events.record('mfa-accepted', { account: account.id, step: 'mfa' });
    state.events.record('session-created', { account: account.id, step: 'mfa', detail: 'authenticated' });
    setSessionCookie(state, request, reply, session.id);
    return seeOther(reply, pendingInterstitial(state, session) ?? '/dashboard');
  });

  app.post('/logout', { config: { step: 'logout' } }, async (request, reply) => {
    const found = state.sessions.lookup(request.cookies[SESSION_COOKIE]);
    if (found.state === 'valid') {
      // logout-keeps-session: the browser forgets the cookie but the server never ends the session.
      if (!state.faults.has('logout-keeps-session')) state.sessions.destroy(found.session.id);
      state.events.record('logout', { account: found.session.accountId, step: 'logout' });
    }
    clearSessionCookie(state, request, reply);
    return seeOther(reply, '/login?signed-out=1');
  });
}
