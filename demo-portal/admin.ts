/**
 * The admin API under /__admin: switch faults at run time, reset state, read the outbox and the
 * event log. It can make the portal insecure on purpose, so it demands both a bearer token and
 * a loopback peer — either alone is not enough.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalState } from './state.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.'));
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function faultsFromBody(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const faults = (body as Record<string, unknown>)['faults'];
  if (!Array.isArray(faults) || !faults.every((f): f is string => typeof f === 'string')) return undefined;
  return faults;
}

export function registerAdminRoutes(app: FastifyInstance, state: PortalState): void {
  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    reply.header('Cache-Control', 'no-store');
    if (!isLoopback(request.socket.remoteAddress)) {
      return reply.code(403).send({ error: 'forbidden', message: 'The admin API answers loopback clients only.' });
    }
    if (!tokenMatches(request.headers.authorization, state.settings.adminToken)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'Send Authorization: Bearer <admin token>.' });
    }
    return undefined;
  };

  // Encapsulated so the guard hook covers exactly the admin routes.
  void app.register(async (admin) => {
    admin.addHook('onRequest', async (request, reply) => {
      const denied = await guard(request, reply);
      if (denied) return denied;
    });

    admin.get('/faults', async () => ({ faults: state.faults.specs() }));

    admin.put('/faults', async (request, reply) => {
      const specs = faultsFromBody(request.body);
      if (!specs) return reply.code(400).send({ error: 'bad-request', message: 'Send a JSON body {"faults": [<fault spec>, ...]}.' });
      try {
        state.setFaults(specs);
      } catch (err) {
        return reply.code(400).send({ error: 'bad-fault', message: err instanceof Error ? err.message : String(err) });
      }
      return { faults: state.faults.specs() };
    });

    admin.post('/reset', async () => {
      state.reset();
      return { ok: true };
    });

    admin.get('/outbox', async () => ({ messages: state.outbox.list() }));
    admin.get('/events', async () => ({ events: state.events.list() }));
  }, { prefix: '/__admin' });
}
