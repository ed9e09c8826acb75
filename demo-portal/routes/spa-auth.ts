/**
 * The single-page flavour's sign-in API: password and code by fetch, answered in JSON. The
 * domain rules (lockout, rotation, single-use codes, events, faults) are the shared steps in
 * signin.ts; only the answers differ from routes/auth.ts. One sign-in serves every account
 * kind, as identity-provider widgets do: the account decides the role view.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Session } from '../sessions.ts';
import { codeStep, passwordStep, pendingCode } from '../signin.ts';
import type { PortalState } from '../state.ts';
import { field, noStore, pendingInterstitial } from '../web.ts';
import { INVALID_CREDENTIALS, lockedMessage, LOOKALIKE_HOST, REUSED_CODE, SESSION_EXPIRED, UNKNOWN_USER, WRONG_CODE } from './auth.ts';

export type SpaView = 'notice' | 'acknowledge' | 'dashboard';

/** The view the app must show next, from the server-rendered flavour's interstitial path. */
export function nextView(state: PortalState, session: Session): SpaView {
  const path = pendingInterstitial(state, session);
  return path === '/notice' ? 'notice' : path === '/acknowledge' ? 'acknowledge' : 'dashboard';
}

/**
 * Under lookalike-redirect the app on the real origin posts the password to the look-alike
 * host, a cross-origin fetch. The look-alike answers CORS for it, as a phishing proxy would,
 * so the password really travels there (the preflight alone would already show up at an
 * egress guard). Its cookie belongs to the look-alike, so the code step on the real origin
 * then finds no session — the flow breaks at the code, as a stolen sign-in does.
 */
function allowLookalikeOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (request.hostname !== LOOKALIKE_HOST || origin === undefined) return;
  reply.header('Access-Control-Allow-Origin', origin).header('Vary', 'Origin');
}

export function registerSpaAuthRoutes(app: FastifyInstance, state: PortalState): void {
  app.options('/api/app/login', async (request, reply) => {
    allowLookalikeOrigin(request, reply);
    return reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'POST')
      .header('Access-Control-Allow-Headers', 'content-type, accept')
      .send();
  });

  app.post('/api/app/login', { config: { step: 'login' } }, async (request, reply) => {
    allowLookalikeOrigin(request, reply);
    noStore(state, reply);
    const found = state.accounts.findByIdentifier(field(request, 'username'));
    const outcome = await passwordStep(state, request, reply, found, field(request, 'password'));
    if (outcome === 'locked') return reply.code(423).send({ error: 'locked', message: lockedMessage(state.settings.lockoutMs) });
    // Byte-identical for unknown users and wrong passwords, like the pages.
    if (outcome === 'invalid') return reply.code(401).send({ error: 'invalid-credentials', message: INVALID_CREDENTIALS });
    if (outcome === 'unknown') return reply.code(401).send({ error: 'unknown-user', message: UNKNOWN_USER });
    return reply.send({ next: 'mfa' });
  });

  app.post('/api/app/mfa', { config: { step: 'mfa' } }, async (request, reply) => {
    noStore(state, reply);
    const pending = pendingCode(state, request);
    if (!('session' in pending)) {
      // No pre-auth session: it ran out (5 minutes), or the password went elsewhere (look-alike).
      return reply.code(401).send({ error: 'not-authenticated', message: SESSION_EXPIRED, expired: pending.expired });
    }
    const outcome = codeStep(state, request, reply, pending.session, pending.account, field(request, 'code'));
    if (outcome.result === 'rejected') return reply.code(401).send({ error: 'wrong-code', message: WRONG_CODE });
    if (outcome.result === 'replay') return reply.code(401).send({ error: 'reused-code', message: REUSED_CODE });
    return reply.send({ next: nextView(state, outcome.session) });
  });
}
