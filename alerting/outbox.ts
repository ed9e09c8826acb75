/**
 * The outbox: every message is written to the store first (in the same transaction as the
 * incident state that decided it), then sent. Nothing is lost across a Slack outage or a
 * restart, and nothing is posted twice — with one exception, written down here because
 * webhooks have no idempotency key:
 *
 *   **At most one duplicate per unanswered send, and only of the message in flight.**
 *   Messages are sent one at a time. Before a POST the message is marked `sending_since` in
 *   the store; after Slack's answer it is marked sent (or rescheduled). A send whose answer
 *   never came (a timeout after Slack read the body, a connection cut, the daemon killed
 *   mid-send) may have been posted, and it is sent again: so that one message may appear
 *   twice (once more for each such send of it). A send that fails before Slack could read
 *   the body (connection refused, a hang before the body was read) is simply retried and
 *   appears once. No other message is ever repeated.
 *
 * Answers:
 * - 2xx: sent.
 * - 429: retried after its `Retry-After` (seconds; 30 s when absent), and the webhook is
 *   paused until then: Slack's limit is per webhook.
 * - 5xx, timeouts, connection errors: retried with exponential backoff (1 s doubling, at
 *   most 5 min).
 * - 400 (Slack refused the message itself, e.g. invalid_blocks): retrying cannot help, so it
 *   is given up ("dead") and logged; the incident's later messages go on.
 * - other 4xx (a revoked or mistyped webhook: 403, 404, 410): retried with backoff, capped
 *   at 10 min, so the messages wait in the outbox until the webhook is fixed.
 *
 * Order: messages of one key (portal × journey × location: every incident of it, and its
 * flapping messages) on one webhook go out in the order they were queued; a message waits
 * until the one before it is sent or given up. Webhooks are paced at one
 * message per `minIntervalMs` (Slack allows about one a second).
 *
 * The webhook URL is a secret: it is never logged, never in an error, never in the store.
 */
import { randomUUID } from 'node:crypto';
import { IncomingWebhook, IncomingWebhookHTTPError, type FetchFunction } from '@slack/webhook';
import type { HistoryStore, OutboxInput, OutboxRow } from '../store/index.ts';
import type { Notice, Severity } from './types.ts';
import { slackMessage } from './slack.ts';

export interface Route { name: string; url: string; portals?: string[]; severities?: Severity[] }

/** The webhooks a notice goes to. */
export function routesFor(n: Notice, routes: readonly Route[]): Route[] {
  return routes.filter((r) => (r.portals === undefined || r.portals.includes(n.key.portal)) && (r.severities === undefined || r.severities.includes(n.severity)));
}

/** The outbox rows for some notices: one per notice and webhook, the Slack message as payload. */
export function outboxRows(notices: readonly Notice[], routes: readonly Route[]): OutboxInput[] {
  return notices.flatMap((n) => routesFor(n, routes).map((r) => ({
    id: randomUUID(), incident: n.incidentId, kind: n.kind, route: r.name, payload: JSON.stringify(slackMessage(n)), createdAt: n.at,
  })));
}

export type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'retry'; error: string; cap: number }
  | { kind: 'dead'; error: string };

const RETRY_AFTER_DEFAULT_MS = 30_000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 300_000;
const BACKOFF_MAX_CLIENT_ERROR_MS = 600_000;

/** Seconds (or an HTTP date) to ms; Slack sends seconds. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null || header.trim() === '') return RETRY_AFTER_DEFAULT_MS;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : RETRY_AFTER_DEFAULT_MS;
}

export function backoffMs(attempts: number, cap: number, base = BACKOFF_BASE_MS): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempts - 1));
}

/** Why a request got no answer, in words that never hold the URL. */
function noAnswer(e: unknown, timeoutMs: number): string {
  const causes: unknown[] = [];
  for (let c: unknown = e; c instanceof Error && causes.length < 5; c = c.cause) causes.push(c);
  if (causes.some((c) => c instanceof Error && (c.name === 'TimeoutError' || c.name === 'AbortError'))) return `no answer within ${timeoutMs / 1000} s`;
  const code = causes.map((c) => (c !== null && typeof c === 'object' && 'code' in c ? String((c as { code: unknown }).code) : '')).find((x) => x !== '');
  return `connection failed${code ? ` (${code})` : ''}`;
}

/** Sends one message body through @slack/webhook and says what Slack answered. */
export async function postToSlack(url: string, payload: object, timeoutMs: number): Promise<SendOutcome> {
  let answer: Awaited<ReturnType<FetchFunction>> | undefined;
  // @slack/webhook 8 throws on a 429 without its Retry-After: its fetch option lets us see the answer.
  const fetchFn: FetchFunction = async (u, init) => {
    const r = await globalThis.fetch(u, init as RequestInit);
    answer = r;
    return r;
  };
  const hook = new IncomingWebhook(url, { fetch: fetchFn, timeout: timeoutMs });
  try {
    await hook.send(payload);
    return { kind: 'sent' };
  } catch (e) {
    if (answer === undefined) return { kind: 'retry', error: noAnswer(e, timeoutMs), cap: BACKOFF_MAX_MS };
    // What the answer said, short, and without any URL (a proxy's error page may echo the webhook's).
    const body = e instanceof IncomingWebhookHTTPError ? e.body.slice(0, 200).replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]').replace(/\/services\/\S+/g, '[url]') : '';
    const status = answer.status;
    const what = `HTTP ${status}${body ? `: ${body}` : ''}`;
    if (status === 429) return { kind: 'rate-limited', retryAfterMs: retryAfterMs(answer.headers.get('retry-after'), Date.now()) };
    if (status >= 500) return { kind: 'retry', error: what, cap: BACKOFF_MAX_MS };
    if (status === 400) return { kind: 'dead', error: what };
    if (status >= 300 && status < 400) return { kind: 'retry', error: `${what} (a redirect: is the webhook URL right?)`, cap: BACKOFF_MAX_CLIENT_ERROR_MS };
    // The answer arrived but reading it failed: it may have been posted.
    if (status < 300) return { kind: 'retry', error: noAnswer(e, timeoutMs), cap: BACKOFF_MAX_MS };
    return { kind: 'retry', error: what, cap: BACKOFF_MAX_CLIENT_ERROR_MS };
  }
}

/**
 * The queue a message waits in: its key (portal › journey › location), whatever its incident.
 * So one key's messages keep their order on a webhook across incidents too — an old
 * incident's recovery never overtakes the next incident's opening, nor a flapping message
 * them. Incident ids are `<key>|<severity>|<opened>` and `flap:<key>` (alerting/incidents.ts).
 */
export function orderGroup(incidentId: string): string {
  return incidentId.replace(/^flap:/, '').split('|')[0] ?? incidentId;
}

export interface OutboxLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface OutboxOptions {
  store: HistoryStore;
  /** Webhook URLs by route name. */
  urls: ReadonlyMap<string, string>;
  timeoutMs: number;
  /** Pace per webhook (default 1000 ms). */
  minIntervalMs?: number;
  /** First retry delay after a 5xx or no answer, doubling per attempt (default 1000 ms). */
  backoffBaseMs?: number;
  log: OutboxLog;
  /** For tests and the stop: called after each send attempt. */
  onAttempt?: (row: OutboxRow, outcome: SendOutcome) => void;
  send?: (url: string, payload: object, timeoutMs: number) => Promise<SendOutcome>;
}

/**
 * The sending loop: one message at a time, heads of each incident's queue in order of
 * creation. `wake()` after queueing; `stop()` lets the send under way finish (bounded by
 * the request timeout) and returns.
 */
export class OutboxSender {
  private stopped = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pausedUntil = new Map<string, number>();
  private readonly lastSentAt = new Map<string, number>();
  private recovered = false;

  constructor(private readonly o: OutboxOptions) {}

  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  /** Pending messages and the age of the oldest (s), for the metrics. */
  async depth(now: number): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const rows = await this.o.store.unsent();
    const oldest = rows.reduce((m, r) => Math.min(m, r.createdAt), Infinity);
    return { depth: rows.length, oldestAgeSeconds: rows.length ? Math.max(0, (now - oldest) / 1000) : 0 };
  }

  /** The messages that may go now: the head of each key × webhook queue, not paused, due. */
  private due(rows: readonly OutboxRow[], now: number): { ready: OutboxRow[]; nextAt: number } {
    const heads = new Map<string, OutboxRow>();
    for (const r of rows) {
      const queue = `${orderGroup(r.incident)}\u0000${r.route}`;
      if (!heads.has(queue)) heads.set(queue, r);
    }
    let nextAt = Infinity;
    const ready: OutboxRow[] = [];
    for (const r of heads.values()) {
      const pace = (this.lastSentAt.get(r.route) ?? -Infinity) + (this.o.minIntervalMs ?? 1000);
      const at = Math.max(r.nextAt, this.pausedUntil.get(r.route) ?? 0, pace);
      if (at <= now) ready.push(r);
      else nextAt = Math.min(nextAt, at);
    }
    ready.sort((a, b) => a.seq - b.seq);
    return { ready, nextAt };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let wait = 60_000;
      try {
        const rows = await this.o.store.unsent();
        if (!this.recovered) {
          this.recovered = true;
          for (const r of rows.filter((x) => x.sendingSince !== null)) {
            this.o.log.warn({ message: r.id, incident: r.incident, route: r.route }, 'a send was under way when the monitor stopped: sending it again (it may appear twice in Slack)');
          }
        }
        const now = Date.now();
        const { ready, nextAt } = this.due(rows, now);
        const next = ready[0];
        if (next) {
          await this.attempt(next);
          wait = 0;
        } else if (nextAt !== Infinity) {
          wait = Math.max(0, nextAt - now);
        }
      } catch (e) {
        this.o.log.error({ err: e instanceof Error ? e.message : String(e) }, 'the outbox could not be read or updated; trying again in 5 s');
        wait = 5000;
      }
      if (wait > 0 && !this.stopped) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(this.timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = done;
      this.timer = setTimeout(done, ms);
    });
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const url = this.o.urls.get(row.route);
    const store = this.o.store;
    if (url === undefined) {
      await store.updateOutbox(row.id, { state: 'dead', lastError: `no webhook named "${row.route}" in the config` });
      this.o.log.error({ message: row.id, route: row.route }, 'message given up: its webhook is no longer configured');
      return;
    }
    const started = Date.now();
    await store.updateOutbox(row.id, { sendingSince: started, attempts: row.attempts + 1 });
    const outcome = await (this.o.send ?? postToSlack)(url, JSON.parse(row.payload) as object, this.o.timeoutMs);
    const now = Date.now();
    this.lastSentAt.set(row.route, now);
    const fields = { message: row.id, incident: row.incident, kind: row.kind, route: row.route, attempt: row.attempts + 1 };
    switch (outcome.kind) {
      case 'sent':
        await store.updateOutbox(row.id, { state: 'sent', sentAt: now, sendingSince: null, lastError: null });
        this.o.log.info(fields, 'message sent to Slack');
        break;
      case 'rate-limited':
        this.pausedUntil.set(row.route, now + outcome.retryAfterMs);
        await store.updateOutbox(row.id, { nextAt: now + outcome.retryAfterMs, sendingSince: null, lastError: `HTTP 429: rate limited for ${outcome.retryAfterMs / 1000} s` });
        this.o.log.warn({ ...fields, retryAfterMs: outcome.retryAfterMs }, 'Slack rate limit: waiting as Retry-After says');
        break;
      case 'retry': {
        const delay = backoffMs(row.attempts + 1, outcome.cap, this.o.backoffBaseMs);
        await store.updateOutbox(row.id, { nextAt: now + delay, sendingSince: null, lastError: outcome.error });
        this.o.log.warn({ ...fields, error: outcome.error, retryInMs: delay }, 'Slack send failed; retrying');
        break;
      }
      case 'dead':
        await store.updateOutbox(row.id, { state: 'dead', sendingSince: null, lastError: outcome.error });
        this.o.log.error({ ...fields, error: outcome.error }, 'Slack refused the message; it is given up');
        break;
    }
    this.o.onAttempt?.(row, outcome);
  }
}
