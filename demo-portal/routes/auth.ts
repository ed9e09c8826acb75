/**
 * Sign-in, two-step verification and sign-out, shared by the provider and patient flavours.
 * The answers here are what the authentication checks classify, so wording and status codes
 * are part of the contract (README.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeDuration } from '../durations.ts';
import { loginPath, renderLoginPage, renderMfaPage } from '../pages/login.ts';
import { codeStep, endSession, passwordStep, pendingCode } from '../signin.ts';
import type { PortalState } from '../state.ts';
import type { AccountKind } from '../types.ts';
import { field, noStore, seeOther, sendHtml, SESSION_COOKIE } from '../web.ts';
import { engineScriptUrl } from './static.ts';

export const INVALID_CREDENTIALS = 'Invalid username or password.';
/** What an unknown user is told under the user-enumeration fault (same status, other words). */
export const UNKNOWN_USER = 'No account matches that username or NPI.';
export const WRONG_CODE = 'The verification code is incorrect or has expired.';
export const REUSED_CODE = 'That code has already been used. Wait for a new code.';
export const SIGNED_OUT = 'You have signed out.';
export const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

/** Browsers resolve every *.localhost name to loopback, so this "other site" needs no DNS. */
export const LOOKALIKE_HOST = 'login-portal.localhost';

export function lockedMessage(lockoutMs: number): string {
  return `Your account is locked. Try again in ${describeDuration(lockoutMs)} or contact the help desk.`;
}

function notices(flavour: AccountKind, query: unknown): string | undefined {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  if (q['signed-out'] === '1') return SIGNED_OUT;
  if (q['expired'] === '1') return SESSION_EXPIRED;
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
      engineScript: engineScriptUrl(state, request),
      ...(actionOverride === undefined ? {} : { actionOverride }),
    });
  };

  const showLogin = (flavour: AccountKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const notice = notices(flavour, request.query);
    return sendHtml(reply, 200, loginPage(request, flavour, notice === undefined ? {} : { notice }));
  };

  const submitLogin = (flavour: AccountKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = state.accounts.findForLogin(field(request, 'username'), flavour);
    const outcome = await passwordStep(state, request, reply, found, field(request, 'password'));
    if (outcome === 'locked') return sendHtml(reply, 423, loginPage(request, flavour, { error: lockedMessage(state.settings.lockoutMs) }));
    if (outcome === 'invalid') return sendHtml(reply, 401, loginPage(request, flavour, { error: INVALID_CREDENTIALS }));
    if (outcome === 'unknown') return sendHtml(reply, 401, loginPage(request, flavour, { error: UNKNOWN_USER }));
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
    return sendHtml(reply, 200, renderMfaPage({ boxes: state.settings.otpBoxes, digits: state.settings.totpDigits }));
  });

  app.post('/mfa', { config: { step: 'mfa' } }, async (request, reply) => {
    const pending = pendingCode(state, request);
    if (!('session' in pending)) return seeOther(reply, pending.expired ? '/login?expired=1' : '/login');
    noStore(state, reply);
    const outcome = codeStep(state, request, reply, pending.session, pending.account, field(request, 'otp'));
    const again = (error: string): FastifyReply => sendHtml(reply, 401, renderMfaPage({ boxes: state.settings.otpBoxes, digits: state.settings.totpDigits, error }));
    if (outcome.result === 'rejected') return again(WRONG_CODE);
    if (outcome.result === 'replay') return again(REUSED_CODE);
    return seeOther(reply, outcome.next ?? '/dashboard');
  });

  app.post('/logout', { config: { step: 'logout' } }, async (request, reply) => {
    endSession(state, request, reply);
    return seeOther(reply, '/login?signed-out=1');
  });
}
