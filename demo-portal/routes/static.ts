/**
 * The portal's own scripts and stylesheet. They are read once at start-up; login.js gets its
 * engine-break parameter appended per request, so switching the fault at run time takes
 * effect on the next page load (hence no-cache on the scripts).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { PortalState } from '../state.ts';

/** A file of demo-portal/public/, read once (the single-page flavour serves its scripts with this too). */
export function asset(name: string): string {
  return readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8');
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
