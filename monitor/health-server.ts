/**
 * The monitor's HTTP endpoint, on plain node:http: `/metrics` for Prometheus, `/healthz`
 * (the process answers: alive) and `/readyz` (the monitor can do its work: store open,
 * scheduler running — whatever `ready()` says) for an orchestrator's probes.
 *
 * Bound to loopback unless told otherwise: the metrics name portals and journeys. GET (and
 * HEAD) only; anything else on a known path is 405, an unknown path 404. `close()` ends
 * keep-alive connections too, so a stopping monitor never waits on an idle scraper.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MonitorMetrics } from './metrics.ts';

export interface HealthServer { url: string; close(): Promise<void> }

export interface HealthServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. */
  port: number;
  metrics: MonitorMetrics;
  ready: () => Promise<{ ok: boolean; reason?: string }>;
  /** How long `ready()` may take before /readyz answers 503 (default 5 s). */
  readyTimeoutMs?: number;
}

interface Reply { status: number; body: string; contentType?: string; headers?: Record<string, string> }

const TEXT = 'text/plain; charset=utf-8';
const ROUTES = new Set(['/metrics', '/healthz', '/readyz']);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `ready()`, or a rejection once it has taken longer than `ms`. */
async function readyWithin(ready: HealthServerOptions['ready'], ms: number): Promise<{ ok: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([ready(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readiness(o: HealthServerOptions): Promise<Reply> {
  try {
    const r = await readyWithin(o.ready, o.readyTimeoutMs ?? 5000);
    return r.ok ? { status: 200, body: 'ready\n' } : { status: 503, body: `not ready: ${r.reason ?? 'no reason given'}\n` };
  } catch (e) {
    return { status: 503, body: `not ready: ${message(e)}\n` };
  }
}

async function scrape(o: HealthServerOptions): Promise<Reply> {
  try {
    return { status: 200, body: await o.metrics.registry.metrics(), contentType: o.metrics.registry.contentType };
  } catch (e) {
    return { status: 500, body: `metrics failed: ${message(e)}\n` };
  }
}

async function route(o: HealthServerOptions, req: IncomingMessage): Promise<Reply> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!ROUTES.has(path)) return { status: 404, body: 'not found\n' };
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, body: 'method not allowed\n', headers: { Allow: 'GET, HEAD' } };
  if (path === '/metrics') return scrape(o);
  if (path === '/readyz') return readiness(o);
  return { status: 200, body: 'ok\n' };
}

function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { 'Content-Type': r.contentType ?? TEXT, 'Cache-Control': 'no-store', ...r.headers });
  res.end(r.body);
}

function handler(o: HealthServerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(o, req).then((r) => send(res, r), (e: unknown) => send(res, { status: 500, body: `${message(e)}\n` }));
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(new Error(`The metrics server cannot listen on ${host}:${port}: ${e.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((e) => (e ? reject(e) : resolve()));
    server.closeAllConnections();
  });
}

const urlOf = (a: AddressInfo): string => `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;

export async function startHealthServer(o: HealthServerOptions): Promise<HealthServer> {
  const server = createServer(handler(o));
  const address = await listen(server, o.port, o.host ?? '127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(address),
    close: () => (closing ??= closeServer(server)),
  };
}
