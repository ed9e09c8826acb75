/**
 * A process that plays the monitor's alerting half over a scripted sequence of ticks, for
 * the outbox test that kills it with SIGKILL: the real incident rules, the real store file,
 * the real outbox sender, a real HTTP Slack stand-in. Each tick's incident states, its
 * messages and the script's progress are saved in one transaction — as the monitor saves
 * state and messages — so a restarted worker goes on from the tick after the last saved.
 *
 *   node --import tsx test/helpers/outbox-worker.ts STORE WEBHOOK_URL TICKS TICK_MS
 *
 * Exits 0 once every tick is played and the outbox is empty.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../store/index.ts';
import { initialState, observe } from '../../alerting/incidents.ts';
import { OutboxSender, outboxRows } from '../../alerting/outbox.ts';
import { DEFAULT_ALERTS, keyString, type KeyObservation, type KeyState } from '../../alerting/types.ts';

const [file, url, ticksArg, tickMsArg] = process.argv.slice(2);
if (!file || !url) throw new Error('usage: outbox-worker STORE WEBHOOK_URL TICKS TICK_MS');
const ticks = Number(ticksArg ?? 40);
const tickMs = Number(tickMsArg ?? 150);

/** Per key, a pattern of tick outcomes over the cells: incidents open, change and close. */
const KEYS = ['portal-a', 'portal-b', 'portal-c'].map((portal) => ({ portal, journey: 'login', location: 'test' }));
const PATTERNS = [
  'PPFFFFFPPPPPFFFFPPPPPPPPPPPPPPPPPPPPPPPPPPPP',
  'PFFFFFFFFFFFFPPPPPPFFFPPPPPPPPPPPPPPPPPPPPPP',
  'PPPPFFFPPPPPPPFFFFFFPPPPPPPPPPPPPPPPPPPPPPPP',
];

function observation(k: number, i: number, at: number): KeyObservation {
  const failing = PATTERNS[k]?.[i % (PATTERNS[k]?.length ?? 1)] === 'F';
  // A second browser joins the failure after a few ticks: an update.
  const both = failing && PATTERNS[k]?.[i - 3] === 'F';
  return {
    key: KEYS[k]!, runId: `run-${k}-${i}`, at,
    cells: [
      { cell: 'chromium/desktop', browser: 'chromium', browserVersion: '156', viewport: 'desktop', outcome: failing ? 'failed' : 'passed', ...(failing ? { step: 'totp', category: 'Authentication' } : {}) },
      { cell: 'firefox/desktop', browser: 'firefox', browserVersion: '153', viewport: 'desktop', outcome: both ? 'failed' : 'passed', ...(both ? { step: 'totp', category: 'Authentication' } : {}) },
    ],
  };
}

const store = await openStore(file, process.cwd());
const log = {
  info: (f: Record<string, unknown>, m: string): void => void process.stdout.write(`${JSON.stringify({ ...f, msg: m })}\n`),
  warn: (f: Record<string, unknown>, m: string): void => void process.stdout.write(`${JSON.stringify({ ...f, msg: m, level: 'warn' })}\n`),
  error: (f: Record<string, unknown>, m: string): void => void process.stdout.write(`${JSON.stringify({ ...f, msg: m, level: 'error' })}\n`),
};
const sender = new OutboxSender({ store, urls: new Map([['standin', url]]), timeoutMs: 400, minIntervalMs: 20, backoffBaseMs: 100, log });
sender.start();

const saved = new Map((await store.alertStates()).map((r) => [r.key, r.state]));
const states = KEYS.map((k) => (saved.has(keyString(k)) ? JSON.parse(saved.get(keyString(k))!) as KeyState : initialState(k)));
const from = saved.has('progress') ? Number(saved.get('progress')) : 0;
for (let i = from; i < ticks; i++) {
  const at = Date.UTC(2026, 11, 6, 12, 0, 0) + i * 300_000;
  const rows = [];
  for (let k = 0; k < KEYS.length; k++) {
    const r = observe(states[k]!, observation(k, i, at), DEFAULT_ALERTS, false);
    states[k] = r.state;
    rows.push(...outboxRows(r.notices, [{ name: 'standin', url }]));
  }
  await store.saveAlerts([...KEYS.map((k, n) => ({ key: keyString(k), state: JSON.stringify(states[n]) })), { key: 'progress', state: String(i + 1) }], rows, at);
  sender.wake();
  await sleep(tickMs);
}
while ((await store.unsent()).length > 0) await sleep(100);
await sender.stop();
await store.close();
