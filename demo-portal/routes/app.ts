/**
 * The signed-in part of the portal: interstitials (extra-step notice, daily acknowledgment),
 * role dashboards, role-restricted pages and the session probe API.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderClaims, renderDashboard, renderLabs } from '../pages/dashboard.ts';
import { renderAccessDenied } from '../pages/errors.ts';
import { renderAcknowledge, renderNotice } from '../pages/forms.ts';
import type { Session } from '../sessions.ts';
import type { PortalState } from '../state.ts';
import { mayOpen, type RoleArea } from '../roles.ts';
import type { AccountRole } from '../types.ts';
import { field, noStore, pendingInterstitial, requireSession, seeOther, sendHtml, SESSION_COOKIE } from '../web.ts';

export const ACK_REQUIRED = 'Select the acknowledgment checkbox to continue.';

export function registerAppRoutes(app: FastifyInstance, state: PortalState): void {
  const viewerOf = (session: Session) => {
    const account = state.accounts.get(session.accountId);
    return account && { displayName: account.displayName, role: account.role, kind: account.kind, id: account.id, extraPatients: state.settings.patients };
  };

  /** A signed-in page that only some roles may see; interstitials come first. */
  const rolePage = (path: string, area: RoleArea | 'all', render: (v: { displayName: string; role: AccountRole }) => string, step?: 'dashboard') =>
    app.get(path, step === undefined ? {} : { config: { step } }, async (request, reply): Promise<FastifyReply> => {
      const session = requireSession(state, request, reply, { touch: true, ...(step === undefined ? {} : { step }) });
      if (!session) return reply;
      const interstitial = pendingInterstitial(state, session);
      if (interstitial !== undefined) return seeOther(reply, interstitial);
      const viewer = viewerOf(session);
      if (!viewer) return seeOther(reply, '/login');
      if (area !== 'all' && !mayOpen(state, area, viewer.role)) {
        state.events.record('access-denied', { account: viewer.id, detail: path });
        return sendHtml(reply, 403, renderAccessDenied());
      }
      return sendHtml(reply, 200, render(viewer));
    });

  rolePage('/dashboard', 'all', renderDashboard, 'dashboard');
  rolePage('/labs', 'labs', renderLabs);
  rolePage('/claims', 'claims', renderClaims);

  app.get('/acknowledge', { config: { step: 'acknowledge' } }, async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true, step: 'acknowledge' });
    if (!session) return reply;
    if (session.noticePending) return seeOther(reply, '/notice');
    if (viewerOf(session)?.kind !== 'provider') return seeOther(reply, '/dashboard');
    return sendHtml(reply, 200, renderAcknowledge());
  });

  app.post('/acknowledge', { config: { step: 'acknowledge' } }, async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true, step: 'acknowledge' });
    if (!session) return reply;
    if (session.noticePending) return seeOther(reply, '/notice');
    if (field(request, 'ack') === '') return sendHtml(reply, 400, renderAcknowledge(ACK_REQUIRED));
    state.acknowledge(session.accountId);
    state.events.record('acknowledged', { account: session.accountId, step: 'acknowledge' });
    return seeOther(reply, '/dashboard');
  });

  app.get('/notice', async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    if (!session.noticePending) return seeOther(reply, pendingInterstitial(state, session) ?? '/dashboard');
    return sendHtml(reply, 200, renderNotice());
  });

  app.post('/notice', async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    if (session.noticePending) {
      session.noticePending = false;
      state.events.record('notice-accepted', { account: session.accountId });
    }
    return seeOther(reply, pendingInterstitial(state, session) ?? '/dashboard');
  });

  // For probing tools: reading it does not count as activity, so a probe can watch a session
  // run out without keeping it alive.
  app.get('/api/session', async (request, reply) => {
    const found = state.sessions.lookup(request.cookies[SESSION_COOKIE]);
    if (found.state === 'expired' && found.reason !== 'pre-auth') {
      state.events.record('session-expired', { account: found.accountId, detail: found.reason });
    }
    if (found.state !== 'valid' || found.session.stage !== 'authenticated') {
      return reply.code(401).send({ error: 'not-authenticated', message: 'Sign in to continue.' });
    }
    noStore(state, reply);
    const account = state.accounts.get(found.session.accountId);
    return reply.code(200).send({ user: found.session.accountId, role: account?.role, expiresInMs: state.sessions.expiresInMs(found.session) });
  });
}
