/**
 * The portal's own scripts and stylesheet. They are read once at start-up; login.js gets its
 * engine-break parameter appended per request, so switching the fault at run time takes
 * effect on the next page load (hence no-cache on the scripts).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PortalState } from '../state.ts';

/** A file of demo-portal/public/, read once (the single-page flavour serves its scripts with this too). */
export function asset(name: string): string {
  return readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8');
}

/**
 * Where both flavours' sign-in pages load /static/engine.js from: their own origin, or under
 * the plain-http fault the portal's HTTP listener, by the host name the page was asked for —
 * a script of the sign-in fetched over plain HTTP (mixed content on the HTTPS listener).
 */
export function engineScriptUrl(state: PortalState, request: FastifyRequest): string {
  if (!state.faults.has('plain-http') || state.httpPort === undefined) return '/static/engine.js';
  return `http://${request.hostname}:${state.httpPort}/static/engine.js`;
}

export function registerStaticRoutes(app: FastifyInstance, state: PortalState): void {
  const loginJs = asset('login.js');
  const mfaJs = asset('mfa.js');
  const engineJs = asset('engine.js');
  const css = asset('portal.css');
  const js = 'text/javascript; charset=utf-8';

  app.get('/static/login.js', async (_request, reply) => {
    const engine = state.faults.find('engine-break')?.engine ?? null;
    return reply.type(js).header('Cache-Control', 'no-cache').send(`${loginJs}\nportalLoginInit(${JSON.stringify(engine)});\n`);
  });
  app.get('/static/engine.js', async (_request, reply) => reply.type(js).header('Cache-Control', 'no-cache').send(engineJs));
  app.get('/static/mfa.js', async (_request, reply) => reply.type(js).header('Cache-Control', 'no-cache').send(mfaJs));
  app.get('/static/portal.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'no-cache').send(css));
}
