/**
 * The incident rules, as pure code: no I/O and no clock — every time comes in as an argument,
 * and every function returns a new state (its input is never changed) with the notices to send,
 * in order. The state is plain data, stored as JSON between ticks.
 *
 * A tick (after its own retry) is, for its key: failed when any cell failed; else degraded when
 * any cell was degraded; else passed when at least one cell passed; else unknown (every cell
 * not run or a harness error). An unknown tick changes nothing: it neither opens nor resolves,
 * resets no counter and is not kept among the flap states.
 *
 * Counters: a failed tick adds to `consecutiveFailed`, a degraded one to `consecutiveDegraded`,
 * a passed one to `consecutivePassed`, and each resets the other two. `failingSince` and
 * `degradedSince` are the time of the first tick of the current streak.
 *
 * Incidents (id `key|severity|openedAt`):
 * - A critical incident opens when `failAfter` failed ticks in a row are reached and none is
 *   open; its `since` is the streak's first tick. Its cells are the failed cells; the notice's
 *   `passing` are the cells that passed or were degraded.
 * - A degraded incident opens after `degradedAfter` degraded ticks in a row, unless a critical
 *   one is open. A critical incident supersedes it: when one opens while a degraded one is open,
 *   the degraded one is closed silently (no message of its own).
 * - Each failing tick of an open incident's kind (failed for critical, degraded for degraded)
 *   is compared with it by signature (`cell:step:category` of its cells, sorted): a difference —
 *   a cell starts failing, one recovers while others still fail, a step or category changes —
 *   posts an 'update' with the cells `added` and `recovered`; the same signature posts nothing.
 * - An open incident resolves after `recoverAfter` passed ticks in a row, with a 'recovery'
 *   giving its duration and every cell `seen` failing while open. A critical one resolves
 *   too after `recoverAfter` ticks in a row with nothing failed (`consecutiveNotFailed`:
 *   passed or degraded), so a portal that works again but slowly hands over to the degraded
 *   rule, whose own streak (counted from its first degraded tick) may then open a degraded
 *   incident. Degraded ticks do not count towards a degraded incident's recovery; a failed
 *   tick during a degraded incident opens a critical one by its own counter.
 * - `remind()` posts a 'reminder' for an open, announced incident once `remindEveryMs` has
 *   passed since its last message, at most `maxReminders` times. Every message about an
 *   incident (open, update, reminder) restarts that clock.
 *
 * Flapping (Nagios): `states` keeps the last `flapWindow` known tick states. Their weighted
 * share of state changes ({@link flapShare}) is judged as Nagios judges its fixed-size history:
 * until the window has filled, the slots not yet seen count as the oldest state seen (no
 * change), so one outage after a quiet start is not taken for flapping. Above `flapStart`
 * flapping starts ('flapping-start', once); below `flapStop` it stops ('flapping-stop').
 *
 * Held messages: while flapping, and inside a maintenance window, counters, incidents and flap
 * states keep updating but no open, update, recovery or reminder is sent; an incident opened
 * then is not announced, and the recovery of an announced one is kept (`heldRecovery`). Once
 * nothing holds them any longer, what was announced is brought in line with the state: the kept
 * recovery is sent, then an 'open' for an incident open but never announced. An incident
 * announced before and still open posts nothing more (no re-alert), and one opened and
 * resolved while held posts nothing at all.
 *
 * Maintenance: the first tick inside a window records what was announced before it
 * (`maintenance.before`). Inside it nothing at all is sent, flapping notices included: the flap
 * states keep filling, but flapping is judged again only after the window, so its start and
 * stop always come in pairs. `endMaintenance()` (called by `observe()` on the first tick after
 * the window) sends the changes above, marked `afterMaintenance` — unless the key is flapping,
 * in which case they wait for its 'flapping-stop'.
 */
import type { Outcome } from '../core/result.ts';
import {
  keyString,
  type AlertSettings, type IncidentKey, type KeyObservation, type KeyState, type Notice,
  type NoticeKind, type OpenIncident, type Severity, type TickState,
} from './types.ts';

type KnownState = Exclude<TickState, 'unknown'>;
type Result = { state: KeyState; notices: Notice[] };

const SEVERITIES: readonly Severity[] = ['critical', 'degraded'];
/** The outcomes an incident of each severity is about, and those that count as fine beside it. */
const AFFECTED: Record<Severity, readonly Outcome[]> = { critical: ['failed'], degraded: ['degraded'] };
const FINE: Record<Severity, readonly Outcome[]> = { critical: ['passed', 'degraded'], degraded: ['passed'] };

export function tickState(obs: KeyObservation): TickState {
  const has = (o: Outcome): boolean => obs.cells.some((c) => c.outcome === o);
  if (has('failed')) return 'failed';
  if (has('degraded')) return 'degraded';
  return has('passed') ? 'passed' : 'unknown';
}

export function initialState(key: IncidentKey): KeyState {
  return { key, states: [], consecutiveFailed: 0, consecutiveDegraded: 0, consecutivePassed: 0, flapping: false };
}

/**
 * Nagios's weighted share of state changes in `states` (oldest first): of n states' n−1
 * transitions, transition i (0 the oldest) weighs 0.75 + 0.5·i/(n−2) (1 when there is only one),
 * and the share is the weight of those that change over the weight of all. 0 for fewer than 2.
 */
export function flapShare(states: readonly string[]): number {
  const transitions = states.length - 1;
  let changed = 0;
  let total = 0;
  for (let i = 0; i < transitions; i++) {
    const weight = transitions === 1 ? 1 : 0.75 + (0.5 * i) / (transitions - 1);
    total += weight;
    if (states[i] !== states[i + 1]) changed += weight;
  }
  return total === 0 ? 0 : changed / total;
}

/** One tick's (after its retry) observation for a key. `inMaintenance` says whether the portal is inside a maintenance window at obs.at. */
export function observe(state: KeyState, obs: KeyObservation, settings: AlertSettings, inMaintenance: boolean): Result {
  const s = structuredClone(state);
  const notices: Notice[] = [];
  if (!inMaintenance && s.maintenance) notices.push(...closeMaintenance(s, obs.at));
  if (inMaintenance && !s.maintenance) s.maintenance = { since: obs.at, before: announcedOpen(s) };
  const tick = tickState(obs);
  if (tick === 'unknown') return { state: s, notices };

  const wasFlapping = s.flapping;
  count(s, tick, obs.at);
  s.states = [...s.states, tick].slice(-settings.flapWindow);
  if (!inMaintenance) notices.push(...judgeFlapping(s, obs, settings));
  const held = inMaintenance || wasFlapping || s.flapping;
  notices.push(...applyTick(s, tick, obs, settings, held));
  if (!inMaintenance && !s.flapping) notices.push(...release(s, obs.at));
  return { state: s, notices };
}

/** Time passing with no tick: reminders due at `now` for open, announced incidents (not while flapping or in maintenance). */
export function remind(state: KeyState, now: number, settings: AlertSettings, inMaintenance: boolean): Result {
  const s = structuredClone(state);
  if (inMaintenance || s.flapping) return { state: s, notices: [] };
  const due = openIncidents(s).filter((inc) =>
    inc.announced && inc.reminders < settings.maxReminders && now - inc.lastNoticeAt >= settings.remindEveryMs);
  const notices = due.map((inc): Notice => {
    inc.reminders += 1;
    inc.lastNoticeAt = now;
    return { ...incidentNotice('reminder', s.key, inc, now, inc.last), reminder: inc.reminders };
  });
  return { state: s, notices };
}

/** A maintenance window that ended at `now`: a notice only if the state differs from before the window. */
export function endMaintenance(state: KeyState, now: number): Result {
  const s = structuredClone(state);
  return { state: s, notices: closeMaintenance(s, now) };
}

function closeMaintenance(s: KeyState, now: number): Notice[] {
  if (!s.maintenance) return [];
  const { before } = s.maintenance;
  delete s.maintenance;
  // Open before the window and open after it, of the same severity: nothing changed to tell,
  // even if the one open now began inside the window. It is taken as announced, and the held
  // recovery of the one before is dropped.
  for (const severity of SEVERITIES) {
    const inc = s[severity];
    if (!before[severity] || !inc || inc.announced) continue;
    inc.announced = true;
    inc.lastNoticeAt = now;
    if (s.heldRecovery?.severity === severity) delete s.heldRecovery;
  }
  if (s.flapping) return [];
  return release(s, now).map((n) => ({ ...n, afterMaintenance: true }));
}

function announcedOpen(s: KeyState): { critical: boolean; degraded: boolean } {
  return { critical: s.critical?.announced === true, degraded: s.degraded?.announced === true };
}

function openIncidents(s: KeyState): OpenIncident[] {
  return SEVERITIES.flatMap((sev) => s[sev] ?? []);
}

function count(s: KeyState, tick: KnownState, at: number): void {
  // A state stored before this counter existed counts its passes.
  s.consecutiveNotFailed = tick === 'failed' ? 0 : (s.consecutiveNotFailed ?? s.consecutivePassed) + 1;
  s.consecutiveFailed = tick === 'failed' ? s.consecutiveFailed + 1 : 0;
  s.consecutiveDegraded = tick === 'degraded' ? s.consecutiveDegraded + 1 : 0;
  s.consecutivePassed = tick === 'passed' ? s.consecutivePassed + 1 : 0;
  if (s.consecutiveFailed === 0) delete s.failingSince;
  else if (s.consecutiveFailed === 1) s.failingSince = at;
  if (s.consecutiveDegraded === 0) delete s.degradedSince;
  else if (s.consecutiveDegraded === 1) s.degradedSince = at;
}

function judgeFlapping(s: KeyState, obs: KeyObservation, settings: AlertSettings): Notice[] {
  const share = flapShare(filled(s.states, settings.flapWindow));
  if (!s.flapping && share > settings.flapStart) {
    s.flapping = true;
    s.flappingSince = obs.at;
    return [flapNotice('flapping-start', s.key, obs.at, obs)];
  }
  if (s.flapping && share < settings.flapStop) {
    const since = s.flappingSince ?? obs.at;
    s.flapping = false;
    delete s.flappingSince;
    return [flapNotice('flapping-stop', s.key, since, obs)];
  }
  return [];
}

/** The states as a full window of `size`: slots not yet seen take the oldest state seen. */
function filled(states: readonly KnownState[], size: number): KnownState[] {
  const oldest = states[0];
  if (oldest === undefined) return [];
  return [...Array<KnownState>(Math.max(0, size - states.length)).fill(oldest), ...states];
}

function applyTick(s: KeyState, tick: KnownState, obs: KeyObservation, settings: AlertSettings, held: boolean): Notice[] {
  // A critical incident resolves once nothing has failed for recoverAfter ticks: a journey
  // that works again, if slowly, is no outage; its slowness is the degraded rule's to judge.
  const notices = s.critical && tick !== 'failed' && (s.consecutiveNotFailed ?? 0) >= settings.recoverAfter ? resolve(s, s.critical, obs, held) : [];
  if (tick === 'passed') return s.consecutivePassed >= settings.recoverAfter ? [...notices, ...resolveAll(s, obs, held)] : notices;
  const severity: Severity = tick === 'failed' ? 'critical' : 'degraded';
  const open = s[severity];
  if (open) return [...notices, ...track(s.key, open, obs, held)];
  if (severity === 'degraded' && s.critical) return notices;
  const [streak, needed, since] = severity === 'critical'
    ? [s.consecutiveFailed, settings.failAfter, s.failingSince]
    : [s.consecutiveDegraded, settings.degradedAfter, s.degradedSince];
  if (streak < needed) return notices;
  if (severity === 'critical') delete s.degraded;
  return [...notices, ...openIncident(s, severity, obs, since ?? obs.at, held)];
}

function openIncident(s: KeyState, severity: Severity, obs: KeyObservation, since: number, held: boolean): Notice[] {
  const cells = cellsWith(obs, AFFECTED[severity]);
  const inc: OpenIncident = {
    id: `${keyString(s.key)}|${severity}|${obs.at}`, severity, since, openedAt: obs.at,
    cells, seen: cells, signature: signature(obs, severity), last: obs,
    reminders: 0, lastNoticeAt: obs.at, announced: !held,
  };
  s[severity] = inc;
  return held ? [] : [incidentNotice('open', s.key, inc, obs.at, obs)];
}

/** A failing tick of an open incident's kind: the incident follows it, and a changed signature posts an update. */
function track(key: IncidentKey, inc: OpenIncident, obs: KeyObservation, held: boolean): Notice[] {
  const cells = cellsWith(obs, AFFECTED[inc.severity]);
  const sig = signature(obs, inc.severity);
  const added = cells.filter((c) => !inc.cells.includes(c));
  const recovered = inc.cells.filter((c) => !cells.includes(c));
  const changed = sig !== inc.signature;
  inc.cells = cells;
  inc.signature = sig;
  inc.last = obs;
  inc.seen = [...new Set([...inc.seen, ...cells])].sort();
  if (!changed || !inc.announced || held) return [];
  inc.lastNoticeAt = obs.at;
  return [{ ...incidentNotice('update', key, inc, obs.at, obs), added, recovered }];
}

function resolveAll(s: KeyState, obs: KeyObservation, held: boolean): Notice[] {
  return openIncidents(s).flatMap((inc) => resolve(s, inc, obs, held));
}

function resolve(s: KeyState, inc: OpenIncident, obs: KeyObservation, held: boolean): Notice[] {
  delete s[inc.severity];
  if (!inc.announced) return [];
  const recovery: Notice = {
    ...incidentNotice('recovery', s.key, inc, obs.at, obs), durationMs: obs.at - inc.since, seen: inc.seen,
  };
  if (!held) return [recovery];
  s.heldRecovery = recovery;
  return [];
}

/** Brings what was announced in line with the state: the kept recovery, then the opening of an incident never announced. */
function release(s: KeyState, now: number): Notice[] {
  const notices: Notice[] = s.heldRecovery ? [s.heldRecovery] : [];
  delete s.heldRecovery;
  for (const inc of openIncidents(s).filter((i) => !i.announced)) {
    inc.announced = true;
    inc.lastNoticeAt = now;
    notices.push(incidentNotice('open', s.key, inc, now, inc.last));
  }
  return notices;
}

function cellsWith(obs: KeyObservation, outcomes: readonly Outcome[]): string[] {
  return obs.cells.filter((c) => outcomes.includes(c.outcome)).map((c) => c.cell).sort();
}

function signature(obs: KeyObservation, severity: Severity): string {
  return obs.cells
    .filter((c) => AFFECTED[severity].includes(c.outcome))
    .map((c) => `${c.cell}:${c.step ?? ''}:${c.category ?? ''}`)
    .sort()
    .join(',');
}

function incidentNotice(kind: NoticeKind, key: IncidentKey, inc: OpenIncident, at: number, observation: KeyObservation): Notice {
  return {
    kind, severity: inc.severity, key, incidentId: inc.id, at, since: inc.since,
    failing: cellsWith(observation, AFFECTED[inc.severity]), passing: cellsWith(observation, FINE[inc.severity]), observation,
  };
}

function flapNotice(kind: 'flapping-start' | 'flapping-stop', key: IncidentKey, since: number, obs: KeyObservation): Notice {
  return {
    kind, severity: 'critical', key, incidentId: `flap:${keyString(key)}`, at: obs.at, since,
    failing: cellsWith(obs, AFFECTED.critical), passing: cellsWith(obs, FINE.critical), observation: obs,
  };
}
