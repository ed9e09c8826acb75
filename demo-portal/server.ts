/**
 * Builds one Fastify app over a shared PortalState. The HTTP and the HTTPS listener each get
 * their own app instance built here, so both serve the very same portal.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAdminRoutes } from './admin.ts';
import { renderNotFound, renderVendorError, vendorErrorJson } from './pages/errors.ts';
import { registerAppRoutes } from './routes/app.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerPatientRoutes } from './routes/patient.ts';
import { registerRecoveryRoutes } from './routes/recovery.ts';
import { registerSpaRoutes } from './routes/spa.ts';
import { registerStaticRoutes } from './routes/static.ts';
import type { PortalState } from './state.ts';
import { sendHtml, wantsJson } from './web.ts';

export interface AppOptions {
  logger: boolean;
  https?: { key: string; cert: string };
}

/** Reset and activation tokens travel in the path; they must not reach a log line. */
function maskTokens(url: string): string {
  return url.replace(/^(\/reset-password\/|\/patient\/activate\/)[^/?#]+/, '$1[redacted]');
}

function loggerOptions(enabled: boolean): FastifyServerOptions['logger'] {
  if (!enabled) return false;
  return {
    level: 'info',
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: maskTokens(req.url ?? '') }),
    },
  };
}

export function buildApp(state: PortalState, opts: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    // A demo server must never hang its own shutdown on a browser's keep-alive connection.
    forceCloseConnections: true,
    bodyLimit: 64 * 1024,
    ...(opts.https ? { https: { key: opts.https.key, cert: opts.https.cert } } : {}),
  });

  void app.register(fastifyCookie);
  void app.register(fastifyFormbody);
  // A delayed response must not hold up the portal's shutdown (a stopped run closes it mid-journey).
  const shutdown = new AbortController();
  app.addHook('preClose', async () => shutdown.abort());

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff').header('X-Frame-Options', 'DENY').header('Referrer-Policy', 'same-origin');
    const step = request.routeOptions.config.step;
    if (step === undefined) return;
    // Step faults act before any handler runs: the delay is exact added latency, and a failing
    // step never reaches the application (like a 503 from the load balancer).
    const delay = state.faults.delayMs(step);
    if (delay > 0) await sleep(delay, undefined, { signal: shutdown.signal }).catch(() => undefined);
    const status = state.faults.httpErrorFor(step);
    if (status !== undefined) {
      const reference = `ERR-${randomBytes(4).toString('hex').toUpperCase()}`;
      // A vendor's API gateway fails in JSON; its web tier fails with a page.
      if (wantsJson(request)) return reply.code(status).send(vendorErrorJson(status, reference));
      return sendHtml(reply, status, renderVendorError(status, reference));
    }
  });

  registerStaticRoutes(app, state);
  registerAuthRoutes(app, state);
  registerAppRoutes(app, state);
  registerRecoveryRoutes(app, state);
  registerPatientRoutes(app, state);
  registerSpaRoutes(app, state);
  registerAdminRoutes(app, state);

  app.setNotFoundHandler(async (request, reply) => {
    if (wantsJson(request)) return reply.code(404).send({ error: 'not-found' });
    return sendHtml(reply, 404, renderNotFound());
  });

  app.setErrorHandler(async (error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    const reference = `ERR-${randomBytes(4).toString('hex').toUpperCase()}`;
    if (wantsJson(request)) {
      // A client mistake (e.g. a malformed JSON body) is not a vendor outage.
      return reply.code(status).send(status === 500 ? vendorErrorJson(status, reference) : { error: 'bad-request', status, message: error.message ?? 'Bad request.' });
    }
    return sendHtml(reply, status, renderVendorError(status, reference));
  });

  return app;
}
