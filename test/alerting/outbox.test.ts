/**
 * The outbox against a real HTTP stand-in for Slack and a real store file: 429 with
 * Retry-After is honoured, 5xx and hangs are retried, a 400 is given up without blocking
 * the incident's next message, messages of one incident go out in order. Then an outage —
 * 500s and 429s, a hang before Slack reads the body and one after — while incidents open
 * and close, with the sending process killed by SIGKILL twice (once in the hang after the
 * body was read: the one message that may arrive twice) and started again: every message
 * arrives, in order per incident, and nothing but that one message twice.
 *
 * The webhook URL is a canary: it is never in the store, the log or an error.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, type HistoryStore } from '../../store/index.ts';
import { OutboxSender, retryAfterMs, type SendOutcome } from '../../alerting/outbox.ts';
import { ROOT, tempDir } from '../helpers/cli.ts';
import { startSlackStandIn, type SlackStandIn } from '../helpers/slack-standin.ts';

const tmp = tempDir('pp-outbox-');
after(() => tmp.cleanup());
const CANARY = '/services/T0CANARY/B0CANARY/hook-canary-5f3a9c';

interface Logged { level: string; msg: string; fields: Record<string, unknown> }
function collector(): { log: ConstructorParameters<typeof OutboxSender>[0]['log']; lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string): void => void lines.push({ level, msg, fields });
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

let n = 0;
async function setUp(): Promise<{ store: HistoryStore; slack: SlackStandIn; file: string }> {
  const file = path.join(tmp.dir, `outbox-${++n}.db`);
  return { store: await openStore(file, tmp.dir), slack: await startSlackStandIn(CANARY), file };
}

const message = (text: string): string => JSON.stringify({ text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

async function queue(store: HistoryStore, items: [incident: string, text: string][]): Promise<void> {
  const now = Date.now();
  await store.saveAlerts([], items.map(([incident, text], i) => ({ id: `${incident}-${i}-${text}`, incident, kind: 'open', route: 'main', payload: message(text), createdAt: now })), now);
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !(await ok());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const texts = (s: SlackStandIn): string[] => s.received.map((r) => (JSON.parse(r.body) as { text: string }).text);

test('Retry-After is read as seconds (or a date); absent, 30 s', () => {
  assert.equal(retryAfterMs('2', 0), 2000);
  assert.equal(retryAfterMs('0.5', 0), 500);
  assert.equal(retryAfterMs(null, 0), 30_000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
});

test('each answer: 429 waits its Retry-After, 5xx and hangs are retried, a 400 is given up, and the incident\'s next messages wait for it, in order', async () => {
  const { store, slack, file } = await setUp();
  const { log, lines } = collector();
  const outcomes: { id: string; kind: SendOutcome['kind']; at: number }[] = [];
  slack.script([
    { kind: 'status', status: 429, retryAfter: 1 },
    { kind: 'status', status: 500 },
    { kind: 'hang-before-body' },
    { kind: 'status', status: 400, body: 'invalid_blocks' },
  ]);
  const sender = new OutboxSender({ store, urls: new Map([['main', slack.url]]), timeoutMs: 500, minIntervalMs: 0, backoffBaseMs: 100, log, onAttempt: (row, o) => void outcomes.push({ id: row.id, kind: o.kind, at: Date.now() }) });
  await queue(store, [['A', 'A1'], ['A', 'A2'], ['A', 'A3']]);
  sender.start();
  try {
    await until('the outbox to empty', async () => (await store.unsent()).length === 0, 20_000);
  } finally {
    await sender.stop();
  }
  // A1: 429 → waits ≥ 1 s → 500 → hang → 400 (given up). Then A2 and A3, in order, held back until A1 was settled.
  const a1 = outcomes.filter((o) => o.id.startsWith('A-0'));
  assert.deepEqual(a1.map((o) => o.kind), ['rate-limited', 'retry', 'retry', 'dead']);
  assert.ok(a1[1]!.at - a1[0]!.at >= 1000, `the retry after a 429 with Retry-After: 1 came ${a1[1]!.at - a1[0]!.at} ms later`);
  const got = texts(slack);
  assert.deepEqual(got.filter((t) => t.startsWith('A')), ['A2', 'A3'], 'A1 was refused (400) and given up; A2 and A3 followed in order, once each');
  assert.ok(lines.some((l) => l.level === 'error' && /given up/.test(l.msg) && String(l.fields.error).includes('invalid_blocks')));
  const raw = new BetterSqlite3(file, { readonly: true });
  const dead = raw.prepare("select id, last_error from outbox where state = 'dead'").all() as { id: string; last_error: string }[];
  raw.close();
  assert.deepEqual(dead.map((d) => d.id), ['A-0-A1']);
  await store.close();
  await slack.close();
  assertNoCanary(file, JSON.stringify(lines));
});

test('a hang before Slack reads the body is retried and posted once; a hang after it may post that one message twice', async () => {
  const { store, slack, file } = await setUp();
  const { log, lines } = collector();
  slack.script([{ kind: 'hang-before-body' }, { kind: 'ok' }, { kind: 'hang-after-body' }]);
  const sender = new OutboxSender({ store, urls: new Map([['main', slack.url]]), timeoutMs: 400, minIntervalMs: 0, backoffBaseMs: 50, log });
  await queue(store, [['A', 'first'], ['A', 'second']]);
  sender.start();
  try {
    await until('the outbox to empty', async () => (await store.unsent()).length === 0, 15_000);
  } finally {
    await sender.stop();
  }
  assert.deepEqual(texts(slack), ['first', 'second', 'second'], 'the first once (its hang was before the body), the second twice (its hang came after Slack had it)');
  assert.ok(lines.some((l) => String(l.fields.error).includes('no answer within 0.4 s')));
  await store.close();
  await slack.close();
  assertNoCanary(file, JSON.stringify(lines));
});

function worker(file: string, url: string, ticks: number): { pid: number; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'outbox-worker.ts'), file, url, String(ticks), '120'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return {
    pid: child.pid!,
    done: new Promise((resolve) => child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    })),
  };
}

test('an outage while incidents open and close, the sender killed with SIGKILL twice: every message arrives, in order per incident, at most the one in flight twice', async () => {
  const file = path.join(tmp.dir, 'outage.db');
  const slack = await startSlackStandIn(CANARY);
  const t0 = Date.now();
  const OUTAGE_MS = 8000;
  let hungAfter = false;
  slack.fallback = (i) => {
    const elapsed = Date.now() - t0;
    if (elapsed < OUTAGE_MS) return i % 2 === 0 ? { kind: 'status', status: 500 } : { kind: 'status', status: 429, retryAfter: 1 };
    return { kind: 'ok' };
  };
  // 1st life: killed mid-outage.
  let w = worker(file, slack.url, 44);
  await sleep(3000);
  process.kill(w.pid, 'SIGKILL');
  let r = await w.done;
  assert.equal(r.signal, 'SIGKILL', r.out);
  // 2nd life: the outage ends with a hang before the body, then one after it — and the kill comes in that second hang.
  await until('the outage to end', () => Date.now() - t0 >= OUTAGE_MS, 15_000);
  slack.script([{ kind: 'hang-before-body' }, { kind: 'hang-after-body' }]);
  w = worker(file, slack.url, 44);
  await until('a message to hang after its body was read', () => (hungAfter = slack.requests.some((q) => q.answer === 'hang-after-body')), 20_000);
  await sleep(50);
  process.kill(w.pid, 'SIGKILL');
  r = await w.done;
  assert.equal(r.signal, 'SIGKILL', r.out);
  assert.ok(hungAfter);
  const inFlight = slack.received.find((x) => x.answer === 'hang-after-body')?.body;
  // 3rd life: to the end.
  w = worker(file, slack.url, 44);
  r = await w.done;
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /may appear twice/, 'the restart says which message may appear twice');

  const raw = new BetterSqlite3(file, { readonly: true });
  const rows = raw.prepare('select id, seq, incident, payload, state from outbox order by seq').all() as { id: string; seq: number; incident: string; payload: string; state: string }[];
  raw.close();
  assert.ok(rows.length >= 10, `the script queued ${rows.length} messages`);
  assert.ok(rows.every((x) => x.state === 'sent'), 'every message was sent in the end');
  const counts = new Map<string, number>();
  for (const x of slack.received) counts.set(x.body, (counts.get(x.body) ?? 0) + 1);
  for (const x of rows) assert.ok((counts.get(x.payload) ?? 0) >= 1, `message ${x.seq} (${x.incident}) never arrived`);
  const twice = [...counts].filter(([, c]) => c > 1);
  assert.ok(twice.length <= 1 && twice.every(([body, c]) => c === 2 && body === inFlight), `only the message in flight at the kill may arrive twice; got ${twice.length} duplicated`);
  // In order per incident: first arrivals follow the queue's order.
  const firstArrival = new Map<string, number>();
  slack.received.forEach((x, i) => { if (!firstArrival.has(x.body)) firstArrival.set(x.body, i); });
  for (const incident of new Set(rows.map((x) => x.incident))) {
    const order = rows.filter((x) => x.incident === incident).map((x) => firstArrival.get(x.payload) ?? -1);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), `messages of ${incident} arrived out of order`);
  }
  assert.ok(slack.requests.filter((q) => q.at - t0 < OUTAGE_MS).length >= 3, 'the outage was met');
  assertNoCanary(file, r.out);
  await slack.close();
});

/** The webhook URL's secret part is in no file next to the store and in no log. */
function assertNoCanary(file: string, log: string): void {
  const dir = path.dirname(file);
  for (const f of readdirSync(dir).filter((x) => x.startsWith(path.basename(file)))) {
    assert.ok(!readFileSync(path.join(dir, f)).includes('CANARY'), `${f} holds the webhook URL`);
  }
  assert.ok(!log.includes('CANARY'), 'the log holds the webhook URL');
}
