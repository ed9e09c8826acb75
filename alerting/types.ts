/**
 * The words of alerting, shared by the incident rules (`incidents.ts`), the Slack messages
 * (`slack.ts`), the outbox (`outbox.ts`) and the monitor. Pure data: no I/O here.
 *
 * An incident is a portal × journey (or check) × location that is failing, one across
 * browsers and viewports; its `cells` say which fail. A tick of the monitor is one
 * recorded run; its journey fails when any of its cells fails.
 */
import type { Outcome } from '../core/result.ts';

/** What an incident is about: one journey (or check) of one portal, seen from one location. */
export interface IncidentKey { portal: string; journey: string; location: string }

export const keyString = (k: IncidentKey): string => `${k.portal}\u203a${k.journey}\u203a${k.location}`;

/** One browser × viewport cell of a tick, with what a help desk needs to escalate it. Secrets never; text already redacted. */
export interface CellObservation {
  /** "chromium/desktop". */
  cell: string;
  browser: string;
  browserVersion: string | null;
  viewport: string;
  outcome: Outcome;
  /** The step that failed (or the first over budget / regressed). */
  step?: string;
  /** The help-desk taxonomy's label (e.g. "Authentication") and its recommended action. */
  category?: string;
  action?: string;
  /** The portal's own error text, or what the harness saw. */
  errorText?: string;
  httpStatus?: number;
  /** Host and path only, never a query. */
  finalUrl?: string;
  account?: string | null;
  screenshot?: string;
  /** For checks: measured against expected, in words ("idle timeout measured 5 min, expected 30 min"). */
  measured?: string;
  /** Why not run, or why degraded. */
  reason?: string;
}

/** One tick's (or its retry's) outcome for one key. `runId` is the recorded run it comes from. */
export interface KeyObservation {
  key: IncidentKey;
  runId: string;
  /** When the run finished, ms since the epoch. */
  at: number;
  cells: CellObservation[];
}

/**
 * A tick's state for a key: failed when any cell failed; degraded when none failed and any
 * was degraded; passed when every cell that ran passed; unknown when none ran (all not run
 * or harness errors) — unknown neither opens nor resolves anything.
 */
export type TickState = 'failed' | 'degraded' | 'passed' | 'unknown';

export type Severity = 'critical' | 'degraded';

export interface AlertSettings {
  /** Consecutive failed ticks (after the tick's own retry) before a critical incident opens. */
  failAfter: number;
  /** Consecutive degraded ticks before a degraded incident opens. */
  degradedAfter: number;
  /** Consecutive passing ticks before an open incident resolves. */
  recoverAfter: number;
  /** While open, a reminder this often (ms)… */
  remindEveryMs: number;
  /** …at most this many times (0: none). */
  maxReminders: number;
  /** Nagios-style flap detection over the last `flapWindow` tick states. */
  flapWindow: number;
  /** Flapping starts above this weighted share of state changes (0–1)… */
  flapStart: number;
  /** …and stops below this one. */
  flapStop: number;
}

export const DEFAULT_ALERTS: AlertSettings = {
  failAfter: 2, degradedAfter: 3, recoverAfter: 2, remindEveryMs: 3_600_000, maxReminders: 24,
  flapWindow: 21, flapStart: 0.3, flapStop: 0.2,
};

/** An incident while it is open. */
export interface OpenIncident {
  /** Stable id: the key, the severity and the opening time. */
  id: string;
  severity: Severity;
  /** The first failing tick of the streak that opened it (ms). */
  since: number;
  openedAt: number;
  /** The cells failing (or degraded) at the last failing tick, sorted. */
  cells: string[];
  /** Every cell that failed at some point while open. */
  seen: string[];
  /** Step and category at the last failing tick, "step|category" per cell: a change posts an update. */
  signature: string;
  /** The last failing tick's observation: the detail messages show. */
  last: KeyObservation;
  reminders: number;
  lastNoticeAt: number;
  /** Whether its opening was posted (false when it opened inside a maintenance window or while flapping). */
  announced: boolean;
}

/** Everything the rules remember about one key between ticks. Stored as JSON: keep it plain data. */
export interface KeyState {
  key: IncidentKey;
  /** The last tick states, oldest first, at most `flapWindow` (unknown ticks are not kept). */
  states: Exclude<TickState, 'unknown'>[];
  consecutiveFailed: number;
  consecutiveDegraded: number;
  consecutivePassed: number;
  /** Ticks in a row with nothing failed (passed or degraded): what resolves a critical incident. Absent in states stored before it existed. */
  consecutiveNotFailed?: number;
  /** When the current failing streak began (ms), if one is under way. */
  failingSince?: number;
  degradedSince?: number;
  flapping: boolean;
  critical?: OpenIncident;
  degraded?: OpenIncident;
  /** Set while a maintenance window is in force: what had been announced before it began. */
  maintenance?: { since: number; before: { critical: boolean; degraded: boolean } };
  /** When the current flapping began (ms), while `flapping`. */
  flappingSince?: number;
  /** The recovery of an announced incident that resolved while messages were held (flapping or maintenance), sent when they no longer are. */
  heldRecovery?: Notice;
}

export type NoticeKind = 'open' | 'update' | 'reminder' | 'recovery' | 'flapping-start' | 'flapping-stop';

/** A message the rules decided to send; the outbox makes it durable, Slack renders it. */
export interface Notice {
  kind: NoticeKind;
  severity: Severity;
  key: IncidentKey;
  /** The incident it belongs to (its messages are sent in order); flapping notices use the key. */
  incidentId: string;
  at: number;
  since: number;
  /** Cells failing now, and for an update those newly failing and recovered since the last message. */
  failing: string[];
  passing: string[];
  added?: string[];
  recovered?: string[];
  /** For a recovery: how long it lasted (ms) and every cell seen failing. */
  durationMs?: number;
  seen?: string[];
  /** The observation the message describes. */
  observation: KeyObservation;
  /** 1-based, for reminders. */
  reminder?: number;
  /** Set when the message is sent because a maintenance window ended with a changed state. */
  afterMaintenance?: boolean;
}
