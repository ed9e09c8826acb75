/**
 * A stand-in for Slack's incoming webhooks: a real HTTP server on 127.0.0.1 that answers
 * each POST as told — 200 "ok", a status (429 with Retry-After, 500 …), or a hang, either
 * before reading the body (Slack never saw the message) or after (Slack posted it and the
 * answer was lost). It records every message whose body it read, in arrival order, and
 * never deduplicates: a message sent twice is recorded twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: number; body?: string }
  | { kind: 'hang-before-body' }
  | { kind: 'hang-after-body' };

export interface Received { at: number; path: string; body: string; answer: Answer['kind'] }

export interface SlackStandIn {
  /** The webhook URL (with a path that stands for its secret part). */
  url: string;
  received: Received[];
  /** Every request, body read or not, with its answer. */
  requests: { at: number; answer: Answer['kind'] }[];
  /** Answers for the next requests, in order; after them, `fallback`. */
  script(answers: Answer[]): void;
  /** The answer once the script is used up (default ok); a function decides per request. */
  fallback: Answer | ((n: number) => Answer);
  close(): Promise<void>;
}

export async function startSlackStandIn(secretPath = '/services/T000/B000/standin'): Promise<SlackStandIn> {
  const queue: Answer[] = [];
  const received: Received[] = [];
  const requests: { at: number; answer: Answer['kind'] }[] = [];
  const hung = new Set<http.ServerResponse>();
  let n = 0;
  const state: { fallback: Answer | ((n: number) => Answer) } = { fallback: { kind: 'ok' } };
  const server = http.createServer((req, res) => {
    const answer = queue.shift() ?? (typeof state.fallback === 'function' ? state.fallback(n) : state.fallback);
    n++;
    requests.push({ at: Date.now(), answer: answer.kind });
    if (answer.kind === 'hang-before-body') {
      // Never read, never answered: the client's timeout ends it.
      hung.add(res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (answer.kind === 'status') {
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.retryAfter !== undefined ? { 'retry-after': String(answer.retryAfter) } : {}) });
        res.end(answer.body ?? (answer.status === 429 ? 'rate_limited' : 'internal_error'));
        return;
      }
      received.push({ at: Date.now(), path: req.url ?? '', body, answer: answer.kind });
      if (answer.kind === 'hang-after-body') {
        hung.add(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Stops by itself: never keeps a test process alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    received, requests,
    script: (answers) => void queue.push(...answers),
    get fallback() { return state.fallback; },
    set fallback(a) { state.fallback = a; },
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
