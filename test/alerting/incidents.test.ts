/**
 * The incident rules over recorded sequences of ticks: when an incident opens, updates,
 * reminds and resolves, how a degraded one gives way to a critical one, how flapping and
 * maintenance windows hold messages back and what is sent once they no longer do — and that
 * the state is plain data the daemon can store as JSON between any two ticks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from '../../core/result.ts';
import { endMaintenance, flapShare, initialState, observe, remind, tickState } from '../../alerting/incidents.ts';
import {
  DEFAULT_ALERTS, keyString,
  type AlertSettings, type CellObservation, type IncidentKey, type KeyObservation, type KeyState, type Notice,
} from '../../alerting/types.ts';

const KEY: IncidentKey = { portal: 'mychart', journey: 'login', location: 'eu-west' };
const T0 = Date.UTC(2025, 2, 3, 8, 0);
const MIN = 60_000;
const EVERY = 5 * MIN;
const CHROMIUM = 'chromium/desktop';
const FIREFOX = 'firefox/desktop';
const WEBKIT = 'webkit/mobile';

type CellSpec = Outcome | { outcome: Outcome; step?: string; category?: string };
/** 'F': Chromium fails, the others pass; 'D': Chromium degraded; 'P': all pass; 'U': nothing ran. Or a map of every cell of the tick. */
type Tick = 'F' | 'D' | 'P' | 'U' | Record<string, CellSpec>;

const SHORTHAND: Record<'F' | 'D' | 'P' | 'U', Record<string, CellSpec>> = {
  F: { [CHROMIUM]: 'failed', [FIREFOX]: 'passed', [WEBKIT]: 'passed' },
  D: { [CHROMIUM]: 'degraded', [FIREFOX]: 'passed', [WEBKIT]: 'passed' },
  P: { [CHROMIUM]: 'passed', [FIREFOX]: 'passed', [WEBKIT]: 'passed' },
  U: { [CHROMIUM]: 'not-run', [FIREFOX]: 'error', [WEBKIT]: 'not-run' },
};

const at = (i: number): number => T0 + i * EVERY;

function cell(name: string, spec: CellSpec): CellObservation {
  const { outcome, step, category } = typeof spec === 'string' ? { outcome: spec, step: undefined, category: undefined } : spec;
  const [browser = '', viewport = ''] = name.split('/');
  const failing = outcome === 'failed' || outcome === 'degraded';
  return {
    cell: name, browser, browserVersion: '130.0', viewport, outcome,
    ...(failing ? { step: step ?? 'sign in', category: category ?? 'Authentication' } : {}),
  };
}

function observation(tick: Tick, i: number): KeyObservation {
  const cells = typeof tick === 'string' ? SHORTHAND[tick] : tick;
  return { key: KEY, runId: `run-${i}`, at: at(i), cells: Object.entries(cells).map(([name, spec]) => cell(name, spec)) };
}

/** Plays ticks `from`, `from + 1`, … through the rules; `maintenance(i)` says whether tick i is inside a window. */
function play(
  ticks: readonly Tick[],
  opts: { state?: KeyState; from?: number; settings?: AlertSettings; maintenance?: (i: number) => boolean } = {},
): { state: KeyState; notices: Notice[] } {
  const from = opts.from ?? 0;
  let state = opts.state ?? initialState(KEY);
  const notices: Notice[] = [];
  ticks.forEach((tick, n) => {
    const i = from + n;
    const result = observe(state, observation(tick, i), opts.settings ?? DEFAULT_ALERTS, opts.maintenance?.(i) ?? false);
    state = result.state;
    notices.push(...result.notices);
  });
  return { state, notices };
}

const kinds = (notices: readonly Notice[]): string[] => notices.map((n) => n.kind);
const script = (s: string): Tick[] => [...s] as Tick[];
const only = (notices: readonly Notice[]): Notice => {
  assert.equal(notices.length, 1, `one notice: ${kinds(notices).join(', ')}`);
  return notices[0]!;
};

test('tickState: failed beats degraded beats passed; nothing run is unknown', () => {
  const of = (cells: Record<string, CellSpec>): string => tickState(observation(cells, 0));
  assert.equal(of({ [CHROMIUM]: 'degraded', [FIREFOX]: 'failed', [WEBKIT]: 'passed' }), 'failed');
  assert.equal(of({ [CHROMIUM]: 'degraded', [FIREFOX]: 'passed' }), 'degraded');
  assert.equal(of({ [CHROMIUM]: 'passed', [FIREFOX]: 'not-run', [WEBKIT]: 'error' }), 'passed');
  assert.equal(of({ [CHROMIUM]: 'not-run', [FIREFOX]: 'error' }), 'unknown');
  assert.equal(of({}), 'unknown');
});

test('a critical incident opens on the second failed tick in a row, not the first', () => {
  assert.deepEqual(play(script('PF')).notices, []);
  const { notices, state } = play(script('PFF'));
  const open = only(notices);
  assert.equal(open.kind, 'open');
  assert.equal(open.severity, 'critical');
  assert.equal(open.since, at(1));
  assert.equal(open.at, at(2));
  assert.equal(open.incidentId, `${keyString(KEY)}|critical|${at(2)}`);
  assert.equal(open.observation.runId, 'run-2');
  assert.deepEqual(open.failing, [CHROMIUM]);
  assert.deepEqual(open.passing, [FIREFOX, WEBKIT]);
  assert.equal(state.critical?.announced, true);
  assert.equal(state.failingSince, at(1));
});

test('a single failure between passes opens nothing', () => {
  const { notices, state } = play(script('PPFPPFP'));
  assert.deepEqual(notices, []);
  assert.equal(state.critical, undefined);
  assert.equal(state.consecutiveFailed, 0);
});

test('two browsers failing make one incident: one open listing both, the other passing', () => {
  const both = { [CHROMIUM]: 'failed', [WEBKIT]: 'failed', [FIREFOX]: 'passed' } as const;
  const open = only(play([both, both]).notices);
  assert.equal(open.kind, 'open');
  assert.deepEqual(open.failing, [CHROMIUM, WEBKIT]);
  assert.deepEqual(open.passing, [FIREFOX]);
});

test('a third cell failing posts an update with it added', () => {
  const two = { [CHROMIUM]: 'failed', [FIREFOX]: 'failed', [WEBKIT]: 'passed' } as const;
  const three = { [CHROMIUM]: 'failed', [FIREFOX]: 'failed', [WEBKIT]: 'failed' } as const;
  const { notices, state } = play([two, two, three]);
  assert.deepEqual(kinds(notices), ['open', 'update']);
  const update = notices[1]!;
  assert.deepEqual(update.added, [WEBKIT]);
  assert.deepEqual(update.recovered, []);
  assert.deepEqual(update.failing, [CHROMIUM, FIREFOX, WEBKIT]);
  assert.deepEqual(update.passing, []);
  assert.equal(update.incidentId, notices[0]!.incidentId);
  assert.deepEqual(state.critical?.cells, [CHROMIUM, FIREFOX, WEBKIT]);
  assert.equal(state.critical?.lastNoticeAt, at(2));
});

test('a cell recovering while others still fail posts an update with it recovered', () => {
  const two = { [CHROMIUM]: 'failed', [FIREFOX]: 'failed', [WEBKIT]: 'passed' } as const;
  const { notices } = play([two, two, 'F']);
  assert.deepEqual(kinds(notices), ['open', 'update']);
  assert.deepEqual(notices[1]!.added, []);
  assert.deepEqual(notices[1]!.recovered, [FIREFOX]);
  assert.deepEqual(notices[1]!.passing, [FIREFOX, WEBKIT]);
});

test('a change of failing step or category posts an update; the same signature posts nothing', () => {
  const failingAt = (step: string, category: string): Tick => ({ [CHROMIUM]: { outcome: 'failed', step, category }, [FIREFOX]: 'passed' });
  const { notices, state } = play([
    failingAt('sign in', 'Authentication'), failingAt('sign in', 'Authentication'),
    failingAt('sign in', 'Authentication'),
    failingAt('mfa code', 'Authentication'),
    failingAt('mfa code', 'Network'),
    failingAt('mfa code', 'Network'),
  ]);
  assert.deepEqual(kinds(notices), ['open', 'update', 'update']);
  for (const update of notices.slice(1)) {
    assert.deepEqual(update.added, []);
    assert.deepEqual(update.recovered, []);
    assert.deepEqual(update.failing, [CHROMIUM]);
  }
  assert.equal(notices[1]!.observation.cells[0]!.step, 'mfa code');
  assert.equal(notices[2]!.observation.cells[0]!.category, 'Network');
  assert.equal(state.critical?.signature, `${CHROMIUM}:mfa code:Network`);
});

test('an outage that does not change posts nothing after its open', () => {
  assert.deepEqual(kinds(play(script('FFFFFFFF')).notices), ['open']);
});

test('an incident resolves after two passes in a row, with its duration and every cell seen failing', () => {
  const two = { [CHROMIUM]: 'failed', [FIREFOX]: 'failed', [WEBKIT]: 'passed' } as const;
  const { notices, state } = play(['P', 'F', 'F', two, 'F', 'P', 'P', 'P']);
  assert.deepEqual(kinds(notices), ['open', 'update', 'update', 'recovery']);
  const recovery = notices[3]!;
  assert.equal(recovery.at, at(6));
  assert.equal(recovery.since, at(1));
  assert.equal(recovery.durationMs, at(6) - at(1));
  assert.deepEqual(recovery.seen, [CHROMIUM, FIREFOX]);
  assert.deepEqual(recovery.failing, []);
  assert.deepEqual(recovery.passing, [CHROMIUM, FIREFOX, WEBKIT]);
  assert.equal(recovery.incidentId, notices[0]!.incidentId);
  assert.equal(state.critical, undefined);
});

test('one pass between failures does not resolve', () => {
  const { notices, state } = play(script('FFPFPFP'));
  assert.deepEqual(kinds(notices), ['open']);
  assert.ok(state.critical);
  assert.equal(state.critical.id, notices[0]!.incidentId);
});

test('unknown ticks neither open, resolve nor reset the counters, and are not flap states', () => {
  const opened = play(script('FUF'));
  assert.equal(only(opened.notices).kind, 'open');
  assert.equal(opened.notices[0]!.since, at(0));
  assert.deepEqual(opened.state.states, ['failed', 'failed']);

  const resolved = play(script('FFPUP'));
  assert.deepEqual(kinds(resolved.notices), ['open', 'recovery']);
  assert.equal(resolved.notices[1]!.at, at(4));

  const nothing = play(script('UUUU'));
  assert.deepEqual(nothing.notices, []);
  assert.deepEqual(nothing.state, initialState(KEY));

  assert.deepEqual(kinds(play(script('DDUD')).notices), ['open']);
});

test('a degraded incident opens after three degraded ticks, with its own severity and id', () => {
  assert.deepEqual(play(script('PDD')).notices, []);
  const { notices, state } = play(script('PDDD'));
  const open = only(notices);
  assert.equal(open.kind, 'open');
  assert.equal(open.severity, 'degraded');
  assert.equal(open.since, at(1));
  assert.equal(open.incidentId, `${keyString(KEY)}|degraded|${at(3)}`);
  assert.deepEqual(open.failing, [CHROMIUM]);
  assert.deepEqual(open.passing, [FIREFOX, WEBKIT]);
  assert.equal(state.critical, undefined);
  assert.equal(state.degraded?.announced, true);

  const recovered = play(script('PDDDPP'));
  assert.deepEqual(recovered.notices.map((n) => `${n.kind}:${n.severity}`), ['open:degraded', 'recovery:degraded']);
});

test('a critical incident supersedes a degraded one silently, and a failed tick does not count towards its recovery', () => {
  const superseded = play(script('DDDFFPP'));
  assert.deepEqual(superseded.notices.map((n) => `${n.kind}:${n.severity}`), ['open:degraded', 'open:critical', 'recovery:critical']);
  assert.equal(superseded.state.degraded, undefined);

  const interrupted = play(script('DDDPFP'));
  assert.deepEqual(kinds(interrupted.notices), ['open']);
  assert.ok(interrupted.state.degraded);
  assert.deepEqual(kinds(play(script('P'), { state: interrupted.state, from: 6 }).notices), ['recovery']);
});

test('a critical incident resolves after recoverAfter ticks with nothing failed, degraded ones too, and hands over to the degraded rule', () => {
  // One degraded tick, or a failure between them, does not resolve it; while it is open no degraded incident opens.
  const open = play(script('FFDFD'));
  assert.deepEqual(open.notices.map((n) => `${n.kind}:${n.severity}`), ['open:critical']);
  assert.ok(open.state.critical);
  assert.equal(open.state.degraded, undefined);

  const { notices, state } = play(script('FFDDDDD'));
  assert.deepEqual(notices.map((n) => `${n.kind}:${n.severity}`), ['open:critical', 'recovery:critical', 'open:degraded']);
  const [, recovery, degraded] = notices;
  assert.equal(recovery?.at, at(3), 'resolved at the second tick with nothing failed');
  assert.equal(degraded?.at, at(4), 'the degraded streak counts from its first degraded tick');
  assert.equal(degraded?.since, at(2));
  assert.equal(state.critical, undefined);
  assert.ok(state.degraded);

  // A state stored before the counter existed: its passes count.
  const old = play(script('FF'));
  const { consecutiveNotFailed: _, ...stored } = old.state;
  assert.deepEqual(play(script('DD'), { state: stored as KeyState, from: 2 }).notices.map((n) => n.kind), ['recovery']);
});

test('reminders come every remindEvery, at most maxReminders times, and none after recovery', () => {
  const settings = { ...DEFAULT_ALERTS, maxReminders: 2 };
  const opened = play(script('FF'), { settings });
  const openedAt = at(1);
  let state = opened.state;
  const remindAt = (now: number): Notice[] => {
    const result = remind(state, now, settings, false);
    state = result.state;
    return result.notices;
  };
  assert.deepEqual(remindAt(openedAt + 59 * MIN), []);
  const first = only(remindAt(openedAt + 60 * MIN));
  assert.equal(first.kind, 'reminder');
  assert.equal(first.reminder, 1);
  assert.equal(first.at, openedAt + 60 * MIN);
  assert.equal(first.since, at(0));
  assert.equal(first.observation.runId, 'run-1');
  assert.deepEqual(first.failing, [CHROMIUM]);
  assert.deepEqual(remindAt(openedAt + 90 * MIN), []);
  assert.equal(only(remindAt(openedAt + 120 * MIN)).reminder, 2);
  assert.deepEqual(remindAt(openedAt + 300 * MIN), [], 'no more than maxReminders');

  state = play(script('PP'), { state, from: 2, settings }).state;
  assert.equal(state.critical, undefined);
  state = play(script('FF'), { state, from: 10, settings }).state;
  const reopenedAt = at(11);
  assert.equal(only(remindAt(reopenedAt + 60 * MIN)).reminder, 1, 'a new incident counts its own reminders');
  state = play(script('PP'), { state, from: 30, settings }).state;
  assert.deepEqual(remindAt(reopenedAt + 600 * MIN), []);
});

test('an update restarts the reminder clock', () => {
  const { state } = play(['F', 'F', ...Array<Tick>(9).fill('F'), { [CHROMIUM]: 'failed', [FIREFOX]: 'failed' }]);
  assert.equal(state.critical?.lastNoticeAt, at(11));
  assert.deepEqual(remind(state, at(1) + 60 * MIN, DEFAULT_ALERTS, false).notices, []);
  assert.equal(only(remind(state, at(11) + 60 * MIN, DEFAULT_ALERTS, false).notices).kind, 'reminder');
});

test('flapping into a lasting outage: one flapping-start, nothing while it flaps, then flapping-stop and the held open', () => {
  const { notices, state } = play([...script('PPFPFPFPFPFPFPFPF'), ...Array<Tick>(40).fill('F')]);
  assert.deepEqual(kinds(notices), ['flapping-start', 'flapping-stop', 'open']);
  const [start, stop, open] = notices as [Notice, Notice, Notice];
  assert.equal(start.incidentId, `flap:${keyString(KEY)}`);
  assert.equal(start.severity, 'critical');
  assert.equal(stop.incidentId, start.incidentId);
  assert.equal(stop.since, start.at);
  assert.equal(open.at, stop.at);
  assert.equal(open.since, at(16), 'the outage began with the last failure before the run');
  assert.equal(open.incidentId, `${keyString(KEY)}|critical|${at(17)}`);
  assert.equal(state.flapping, false);
  assert.equal(state.critical?.announced, true);
  assert.equal(state.critical?.lastNoticeAt, stop.at);
});

test('flapping out of an announced outage: the recovery held while it flapped follows the flapping-stop', () => {
  const { notices, state } = play([...script('FFPFPFPFPFPFPFPF'), ...Array<Tick>(40).fill('P')]);
  assert.deepEqual(kinds(notices), ['open', 'flapping-start', 'flapping-stop', 'recovery']);
  const [open, start, stop, recovery] = notices as [Notice, Notice, Notice, Notice];
  assert.ok(start.at > open.at);
  assert.equal(recovery.incidentId, open.incidentId);
  assert.equal(recovery.at, at(17), 'it resolved at the second pass in a row, while flapping');
  assert.equal(recovery.durationMs, at(17) - at(0));
  assert.ok(stop.at > recovery.at);
  assert.equal(state.critical, undefined);
  assert.equal(state.heldRecovery, undefined);
});

test('no reminder while flapping', () => {
  const { state } = play(script('FFPFPFPFPFPFPFPF'));
  assert.equal(state.flapping, true);
  assert.ok(state.critical?.announced);
  assert.deepEqual(remind(state, at(16) + 600 * MIN, DEFAULT_ALERTS, false).notices, []);
});

test('flapShare: the Nagios weighted share of state changes', () => {
  assert.equal(flapShare([]), 0);
  assert.equal(flapShare(['P']), 0);
  assert.equal(flapShare(['P', 'F']), 1);
  assert.equal(flapShare(['P', 'P', 'P']), 0);
  assert.equal(flapShare(['P', 'F', 'F']), 0.75 / 2);
  assert.equal(flapShare(['P', 'P', 'F']), 1.25 / 2);

  // 21 states, 20 transitions weighing 0.75 + 0.5·i/19 (sum 20): P×10, F×5, P×6 changes at transitions 9 and 14.
  const states = [...Array<string>(10).fill('P'), ...Array<string>(5).fill('F'), ...Array<string>(6).fill('P')];
  const w = (i: number): number => 0.75 + (0.5 * i) / 19;
  assert.ok(Math.abs(flapShare(states) - (w(9) + w(14)) / 20) < 1e-12);
  assert.ok(Math.abs(flapShare(states) - 0.10526315789473684) < 1e-12);
  assert.ok(Math.abs(flapShare([...Array<string>(20).fill('P'), 'F']) - 1.25 / 20) < 1e-12);
  assert.ok(Math.abs(flapShare(Array.from({ length: 21 }, (_, i) => (i % 2 ? 'F' : 'P'))) - 1) < 1e-12);
});

test('maintenance: an outage that starts and ends inside the window posts nothing', () => {
  const inWindow = (i: number): boolean => i >= 1 && i <= 7;
  const { notices, state } = play(script('PPFFFPPPP'), { maintenance: inWindow });
  assert.deepEqual(notices, []);
  assert.equal(state.maintenance, undefined);
  assert.equal(state.critical, undefined);
});

test('maintenance: an outage that begins inside and continues past the end posts one open at the end', () => {
  const inWindow = (i: number): boolean => i >= 1 && i <= 3;
  const during = play(script('PFFF'), { maintenance: inWindow });
  assert.deepEqual(during.notices, []);
  assert.equal(during.state.critical?.announced, false);
  assert.deepEqual(during.state.maintenance, { since: at(1), before: { critical: false, degraded: false } });

  const ended = endMaintenance(during.state, at(3) + MIN);
  const open = only(ended.notices);
  assert.equal(open.kind, 'open');
  assert.equal(open.afterMaintenance, true);
  assert.equal(open.since, at(1));
  assert.equal(open.at, at(3) + MIN);
  assert.deepEqual(open.failing, [CHROMIUM]);
  assert.equal(ended.state.maintenance, undefined);
  assert.equal(ended.state.critical?.announced, true);

  // Or the first tick after the window ends it.
  const { notices } = play(script('PFFFFF'), { maintenance: inWindow });
  assert.deepEqual(notices.map((n) => [n.kind, n.afterMaintenance, n.at]), [['open', true, at(4)]]);
});

test('maintenance: an outage announced before the window and still failing after it is not re-alerted', () => {
  const inWindow = (i: number): boolean => i >= 2 && i <= 5;
  const { notices, state } = play(script('FFFFFFFF'), { maintenance: inWindow });
  assert.deepEqual(kinds(notices), ['open']);
  assert.equal(notices[0]!.at, at(1));
  assert.equal(state.maintenance, undefined);
});

test('maintenance: an outage announced before the window and recovered inside it posts one recovery at the end', () => {
  const inWindow = (i: number): boolean => i >= 2 && i <= 5;
  assert.deepEqual(kinds(play(script('FFFPPP'), { maintenance: inWindow }).notices), ['open'], 'nothing until the window ends');
  const { notices } = play(script('FFFPPPPP'), { maintenance: inWindow });
  assert.deepEqual(kinds(notices), ['open', 'recovery']);
  const recovery = notices[1]!;
  assert.equal(recovery.afterMaintenance, true);
  assert.equal(recovery.incidentId, notices[0]!.incidentId);
  assert.equal(recovery.at, at(4), 'it tells when the incident resolved, inside the window');
  assert.equal(recovery.durationMs, at(4) - at(0));
  assert.equal(recovery.observation.runId, 'run-4');
});

test('maintenance: failing before the window and after it posts nothing, even when the incident inside it is another one', () => {
  // Announced at 1; resolves at 4 and a new one opens at 6, both inside the window; failing still after it.
  const inWindow = (i: number): boolean => i >= 2 && i <= 6;
  const { notices, state } = play(script('FFFPPFFFF'), { maintenance: inWindow });
  assert.deepEqual(kinds(notices), ['open'], 'the state is the same as before the window: no recovery, no new open');
  assert.equal(state.heldRecovery, undefined);
  assert.equal(state.critical?.announced, true);
  // Its later recovery is posted as usual.
  assert.deepEqual(kinds(play(script('PP'), { state, from: 9 }).notices), ['recovery']);
});

test('maintenance: nothing is sent inside the window, flapping and reminders included', () => {
  const inWindow = (i: number): boolean => i >= 2 && i <= 30;
  const ticks = [...script('FF'), ...Array.from({ length: 29 }, (_, i): Tick => (i % 2 ? 'F' : 'P'))];
  const { notices, state } = play(ticks, { maintenance: inWindow });
  assert.deepEqual(kinds(notices), ['open']);
  assert.equal(state.flapping, false);
  assert.deepEqual(remind(state, at(30) + 300 * MIN, DEFAULT_ALERTS, true).notices, []);
  assert.equal(only(remind(state, at(30) + 300 * MIN, DEFAULT_ALERTS, false).notices).kind, 'reminder');
  assert.deepEqual(kinds(play(['F'], { state, from: 31 }).notices), ['flapping-start'], 'judged again after the window');
});

test('maintenance ending while the key flaps: the held open waits for the flapping-stop', () => {
  const inWindow = (i: number): boolean => i >= 10 && i <= 14;
  const { notices } = play([...script('PPFPFPFPFPFPFPF'), ...Array<Tick>(40).fill('F')], { maintenance: inWindow });
  assert.deepEqual(kinds(notices), ['flapping-start', 'flapping-stop', 'open']);
  assert.equal(notices[2]!.afterMaintenance, undefined);
});

test('observe, remind and endMaintenance do not change the state they are given', () => {
  const { state } = play(script('FFF'), { maintenance: (i) => i === 2 });
  const before = structuredClone(state);
  const frozen = deepFreeze(state);
  observe(frozen, observation('P', 3), DEFAULT_ALERTS, true);
  observe(frozen, observation('F', 3), DEFAULT_ALERTS, false);
  remind(frozen, at(40), DEFAULT_ALERTS, false);
  endMaintenance(frozen, at(4));
  assert.deepEqual(frozen, before);
});

test('the state survives a JSON round trip between any two ticks with identical results', () => {
  const ticks: Tick[] = [
    ...script('PFF'), { [CHROMIUM]: 'failed', [WEBKIT]: 'failed' }, ...script('FPFPFPFPFPFPFPFP'),
    ...script('PPPPPPPPPPPPPPPPPPPPPP'), ...script('DDDFFFFFFPPP'), ...script('FFFFPP'),
  ];
  const maintenance = (i: number): boolean => i >= 52 && i <= 56;
  const whole = play(ticks, { maintenance });
  assert.ok(whole.notices.length >= 8, kinds(whole.notices).join(', '));
  for (let split = 1; split < ticks.length; split++) {
    const first = play(ticks.slice(0, split), { maintenance });
    const stored = JSON.parse(JSON.stringify(first.state)) as KeyState;
    const rest = play(ticks.slice(split), { state: stored, from: split, maintenance });
    assert.deepEqual([...first.notices, ...rest.notices], whole.notices, `split at ${split}`);
    assert.deepEqual(rest.state, whole.state, `split at ${split}`);
  }
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
