/**
 * The single-page flavour: the HTML shell under /app, its scripts, the framed sign-in page and
 * the signed-in JSON API (/api/app/*). Sign-in itself (password, code) is in spa-auth.ts. It
 * shares accounts, sessions, faults, acknowledgments and wording with the server-rendered
 * flavour, so a session or an acknowledgment made in one counts in the other.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderEmbeddedLogin, renderSpaShell, type SpaConfig } from '../pages/spa.ts';
import { CLAIMS, LABS, MESSAGES, schedule } from '../records.ts';
import { ACCESS_DENIED_MESSAGE, mayOpen, type RoleArea } from '../roles.ts';
import { endSession } from '../signin.ts';
import type { PortalState } from '../state.ts';
import type { AccountRole } from '../types.ts';
import { noStore, requireSession, sendHtml } from '../web.ts';
import { ACK_REQUIRED } from './app.ts';
import { LOOKALIKE_HOST, SESSION_EXPIRED, SIGNED_OUT } from './auth.ts';
import { nextView, registerSpaAuthRoutes } from './spa-auth.ts';
import { asset, engineScriptUrl } from './static.ts';

interface Cell {
  text: string;
  /** Patient names: the harness must mask these in screenshots and snapshots. */
  phi?: true;
}
interface DashboardSection {
  heading?: string;
  table?: { columns: string[]; rows: Cell[][] };
  list?: { title: string; detail: string }[];
}

/** The same records as pages/dashboard.ts; the role decides the heading, as each role's landing page. */
function dashboardFor(role: AccountRole, extraPatients: readonly string[]): { heading: string; sections: DashboardSection[] } {
  const phi = (text: string): Cell => ({ text, phi: true });
  switch (role) {
    case 'physician':
      return {
        heading: 'Dashboard',
        sections: [
          { heading: "Today's schedule", table: { columns: ['Time', 'Patient', 'Reason'], rows: schedule(extraPatients).map((s) => [{ text: s.time }, phi(s.patient), { text: s.reason }]) } },
          { heading: 'Lab results', table: { columns: ['Patient', 'Test', 'Status'], rows: LABS.map((l) => [phi(l.patient), { text: l.test }, { text: l.status }]) } },
        ],
      };
    case 'billing':
      return {
        heading: 'Claims',
        sections: [{ table: { columns: ['Claim', 'Patient', 'Amount', 'Status'], rows: CLAIMS.map((c) => [{ text: c.id }, phi(c.patient), { text: c.amount }, { text: c.status }]) } }],
      };
    case 'patient':
      return { heading: 'Messages', sections: [{ list: MESSAGES.map((m) => ({ title: m.title, detail: m.from })) }] };
  }
}

function queryFlag(request: FastifyRequest, name: string): boolean {
  const query = request.query;
  return typeof query === 'object' && query !== null && (query as Record<string, unknown>)[name] === '1';
}

export function registerSpaRoutes(app: FastifyInstance, state: PortalState): void {
  const scripts = { spa: asset('spa.js'), kit: asset('spa-kit.js') };
  const js = 'text/javascript; charset=utf-8';
  // no-cache like login.js: the scripts are fixed, but a demo edited while running should not need a hard reload.
  app.get('/static/spa.js', async (_request, reply) => reply.type(js).header('Cache-Control', 'no-cache').send(scripts.spa));
  app.get('/static/spa-kit.js', async (_request, reply) => reply.type(js).header('Cache-Control', 'no-cache').send(scripts.kit));

  const configFor = (request: FastifyRequest, embedded: boolean): SpaConfig => ({
    breakEngine: state.faults.find('engine-break')?.engine ?? null,
    activityWindowMs: state.settings.spaActivityWindowMs,
    refreshEveryMs: state.settings.spaRefreshEveryMs,
    digits: state.settings.totpDigits,
    selectorChange: state.faults.has('selector-change'),
    cookieBanner: state.faults.has('narrow-viewport-break'),
    // The look-alike keeps scheme and port, so only the host name betrays it (as in routes/auth.ts).
    loginUrl: state.faults.has('lookalike-redirect') ? `${request.protocol}://${LOOKALIKE_HOST}:${request.socket.localPort ?? ''}/api/app/login` : '/api/app/login',
    embedded,
    messages: { signedOut: SIGNED_OUT, expired: SESSION_EXPIRED },
  });

  const shell = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const embedded = queryFlag(request, 'embedded');
    // Only the framed sign-in may be framed, and only by the portal itself (the global default is DENY).
    if (embedded) reply.header('X-Frame-Options', 'SAMEORIGIN').header('Content-Security-Policy', "frame-ancestors 'self'");
    // The shell holds no data, but a cached shell would pin old faults and config: never store it.
    reply.header('Cache-Control', 'no-store');
    return sendHtml(reply, 200, renderSpaShell(configFor(request, embedded), engineScriptUrl(state, request)));
  };
  app.get('/app', { config: { step: 'login-page' } }, shell);
  app.get('/app/*', { config: { step: 'login-page' } }, shell);
  app.get('/app/embedded', { config: { step: 'login-page' } }, async (_request, reply) => sendHtml(reply, 200, renderEmbeddedLogin()));

  registerSpaAuthRoutes(app, state);

  // What session checks probe. Unlike /api/session it counts as activity, as an SPA's boot call does.
  app.get('/api/app/me', async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    const account = state.accounts.get(session.accountId);
    return reply.send({ user: session.accountId, role: account?.role, displayName: account?.displayName });
  });

  // The keep-alive: spa.js calls it only while the user is active, so it is activity by definition.
  app.post('/api/app/refresh', async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    return reply.send({ ok: true, expiresInMs: state.sessions.expiresInMs(session) });
  });

  app.get('/api/app/dashboard', { config: { step: 'dashboard' } }, async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true, step: 'dashboard' });
    if (!session) return reply;
    // Like the pages' redirects: an interstitial comes before the dashboard.
    const next = nextView(state, session);
    if (next !== 'dashboard') return reply.code(409).send({ error: 'interstitial-pending', next });
    const account = state.accounts.get(session.accountId);
    if (!account) return reply.code(401).send({ error: 'not-authenticated', message: 'Sign in to continue.', expired: true });
    return reply.send({ user: account.id, role: account.role, displayName: account.displayName, ...dashboardFor(account.role, state.settings.patients) });
  });

  // The role-restricted records as the app's API serves them: the same rule as /labs and /claims.
  const roleApi = (area: RoleArea, records: () => unknown): void => void app.get(`/api/app/${area}`, async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    const next = nextView(state, session);
    if (next !== 'dashboard') return reply.code(409).send({ error: 'interstitial-pending', next });
    const account = state.accounts.get(session.accountId);
    if (!account) return reply.code(401).send({ error: 'not-authenticated', message: 'Sign in to continue.', expired: true });
    if (!mayOpen(state, area, account.role)) {
      state.events.record('access-denied', { account: account.id, detail: `/api/app/${area}` });
      return reply.code(403).send({ error: 'access-denied', message: ACCESS_DENIED_MESSAGE });
    }
    return reply.send(records());
  });
  roleApi('labs', () => ({ labs: LABS }));
  roleApi('claims', () => ({ claims: CLAIMS }));

  app.post('/api/app/notice', async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true });
    if (!session) return reply;
    if (session.noticePending) {
      session.noticePending = false;
      state.events.record('notice-accepted', { account: session.accountId });
    }
    return reply.send({ next: nextView(state, session) });
  });

  app.post('/api/app/acknowledge', { config: { step: 'acknowledge' } }, async (request, reply) => {
    const session = requireSession(state, request, reply, { touch: true, step: 'acknowledge' });
    if (!session) return reply;
    if (session.noticePending) return reply.code(409).send({ error: 'interstitial-pending', next: 'notice' });
    const body = request.body as Record<string, unknown> | undefined;
    if (body?.['ack'] !== true) return reply.code(400).send({ error: 'ack-required', message: ACK_REQUIRED });
    state.acknowledge(session.accountId);
    state.events.record('acknowledged', { account: session.accountId, step: 'acknowledge' });
    return reply.send({ next: nextView(state, session) });
  });

  app.post('/api/app/logout', { config: { step: 'logout' } }, async (request, reply) => {
    noStore(state, reply);
    endSession(state, request, reply);
    return reply.send({ ok: true });
  });
}
