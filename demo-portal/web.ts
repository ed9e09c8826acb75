/**
 * Request/response plumbing shared by the route modules: the session cookie, the access guard
 * for signed-in pages, and form-field reading.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DemoStep } from './faults.ts';
import type { Session } from './sessions.ts';
import type { PortalState } from './state.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The DEMO_STEPS step a route belongs to; delay and http-error faults key on it. */
    step?: DemoStep;
  }
}

export const SESSION_COOKIE = 'pp_session';

export function sendHtml(reply: FastifyReply, statusCode: number, body: string): FastifyReply {
  return reply.code(statusCode).type('text/html; charset=utf-8').send(body);
}

/** 303 so the browser follows a POST with a GET, as after every form submission here. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.redirect(location, 303);
}

/** One form field as a trimmed-or-raw string; repeated or missing fields read as ''. */
export function field(request: FastifyRequest, name: string): string {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

export function setSessionCookie(state: PortalState, request: FastifyRequest, reply: FastifyReply, id: string): void {
  if (state.faults.has('cookie-flags-dropped')) {
    // @fastify/cookie adds SameSite=Lax unless told otherwise; the fault wants no attribute at all.
    reply.setCookie(SESSION_COOKIE, id, { path: '/', sameSite: false });
    return;
  }
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
}

export function clearSessionCookie(state: PortalState, request: FastifyRequest, reply: FastifyReply): void {
  const flags = state.faults.has('cookie-flags-dropped') ? { sameSite: false } : { httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' };
  reply.clearCookie(SESSION_COOKIE, { path: '/', ...flags });
}

/** Signed-in answers must not be kept by browsers or proxies (shared workstations on wards). */
export function noStore(state: PortalState, reply: FastifyReply): void {
  if (state.faults.has('no-cache-header-dropped')) return;
  reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

/**
 * JSON clients: anything that asks for JSON, and everything under /api/ whatever it asks for
 * (a bare fetch() accepts anything, and an API must never answer with a page).
 */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json') || request.url.startsWith('/api/');
}

export interface GuardOptions {
  /** Whether this request counts as activity (restarts the idle clock). */
  touch: boolean;
  step?: DemoStep;
}

/**
 * Resolves the signed-in session or answers for the caller: a browser is sent to sign in
 * (with ?expired=1 when it still held a cookie), a JSON client gets 401. An expiry is logged
 * once, at the request that discovers it.
 */
export function requireSession(state: PortalState, request: FastifyRequest, reply: FastifyReply, opts: GuardOptions): Session | undefined {
  const cookie = request.cookies[SESSION_COOKIE];
  const found = state.sessions.lookup(cookie);
  if (found.state === 'valid' && found.session.stage === 'authenticated') {
    if (opts.touch) state.sessions.touch(found.session);
    noStore(state, reply);
    return found.session;
  }
  if (found.state === 'expired' && found.reason !== 'pre-auth') {
    state.events.record('session-expired', { account: found.accountId, step: opts.step, detail: found.reason });
  }
  if (wantsJson(request)) {
    // `expired` follows the page rule for ?expired=1: a cookie was sent but no longer signs anyone in.
    const expired = cookie !== undefined && found.state !== 'valid';
    void reply.code(401).send({ error: 'not-authenticated', message: 'Sign in to continue.', expired });
    return undefined;
  }
  if (found.state === 'valid') {
    // Password accepted but no code yet: continue the flow rather than starting over.
    void seeOther(reply, '/mfa');
    return undefined;
  }
  void seeOther(reply, cookie === undefined ? '/login' : '/login?expired=1');
  return undefined;
}

/** Where a freshly signed-in user must go before the page they asked for, if anywhere. */
export function pendingInterstitial(state: PortalState, session: Session): string | undefined {
  if (session.noticePending) return '/notice';
  const account = state.accounts.get(session.accountId);
  if (account?.kind === 'provider' && !state.hasAcknowledgedToday(account.id)) return '/acknowledge';
  return undefined;
}
