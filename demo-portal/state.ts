/**
 * Everything one running portal remembers, shared by its HTTP and HTTPS listeners so both
 * serve the same accounts, sessions and faults.
 */
import { randomBytes } from 'node:crypto';
import { AccountStore } from './accounts.ts';
import { EventLog } from './events.ts';
import { FaultSet } from './faults.ts';
import { LockoutTracker } from './lockout.ts';
import { Outbox } from './outbox.ts';
import { SessionStore, type SessionTimeouts } from './sessions.ts';
import { ResetLinks } from './tokens.ts';
import { TOTP_PERIOD_S, TotpVerifier, type TotpDigits } from './totp.ts';
import type { DemoAccount, DemoPortalOptions } from './types.ts';

export interface PortalSettings {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  lockoutThreshold: number;
  lockoutMs: number;
  resetLinkTtlMs: number;
  activationTtlMs: number;
  otpBoxes: boolean;
  totpDigits: TotpDigits;
  totpPeriodS: number;
  /** Extra names for the physician schedule (both flavours). */
  patients: readonly string[];
  spaActivityWindowMs: number;
  spaRefreshEveryMs: number;
  adminToken: string;
  logger: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Demo portal option ${name} must be a positive number, got ${String(value)}.`);
  return value;
}

function digitsOf(value: number | undefined): TotpDigits {
  if (value === undefined || value === 6 || value === 8) return value ?? 6;
  throw new Error(`Demo portal option totpDigits must be 6 or 8, got ${String(value)}.`);
}

function periodOf(value: number | undefined): number {
  if (value === undefined) return TOTP_PERIOD_S;
  if (Number.isInteger(value) && value >= 1 && value <= 300) return value;
  throw new Error(`Demo portal option totpPeriodS must be a whole number of seconds from 1 to 300, got ${String(value)}.`);
}

/** Names end up in HTML and JSON (escaped); refusing odd input keeps a typo from passing as a canary. */
function patientsOf(value: readonly unknown[] | undefined): string[] {
  return (value ?? []).map((name) => {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
      throw new Error(`Demo portal option patients must hold non-empty names of at most 100 characters, got ${JSON.stringify(name)}.`);
    }
    return name.trim();
  });
}

export function resolveSettings(opts: DemoPortalOptions): PortalSettings {
  const adminToken = opts.adminToken ?? randomBytes(32).toString('hex');
  if (adminToken.length < 16) throw new Error('Demo portal option adminToken must be at least 16 characters long.');
  return {
    idleTimeoutMs: positive('idleTimeoutMs', opts.idleTimeoutMs, 30 * MINUTE),
    absoluteTimeoutMs: positive('absoluteTimeoutMs', opts.absoluteTimeoutMs, 12 * HOUR),
    lockoutThreshold: Math.round(positive('lockoutThreshold', opts.lockoutThreshold, 5)),
    lockoutMs: positive('lockoutMs', opts.lockoutMs, 30 * MINUTE),
    resetLinkTtlMs: positive('resetLinkTtlMs', opts.resetLinkTtlMs, 24 * HOUR),
    activationTtlMs: positive('activationTtlMs', opts.activationTtlMs, 72 * HOUR),
    otpBoxes: opts.otpBoxes ?? false,
    totpDigits: digitsOf(opts.totpDigits),
    totpPeriodS: periodOf(opts.totpPeriodS),
    patients: patientsOf(opts.patients),
    spaActivityWindowMs: positive('spaActivityWindowMs', opts.spaActivityWindowMs, 5 * MINUTE),
    spaRefreshEveryMs: positive('spaRefreshEveryMs', opts.spaRefreshEveryMs, MINUTE),
    adminToken,
    logger: opts.logger ?? false,
  };
}

/** The server's calendar day: the acknowledgment is "once per day" as the portal's staff see days. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export class PortalState {
  readonly events = new EventLog();
  readonly outbox = new Outbox();
  readonly totp: TotpVerifier;
  readonly faults: FaultSet;
  readonly lockout: LockoutTracker;
  readonly sessions: SessionStore;
  readonly resetLinks: ResetLinks;
  /** Activation links are issued when the portal starts; their lifetime counts from then. */
  readonly activationExpiresAt: number;
  /** account id → local date of the last acknowledgment. */
  private readonly acknowledged = new Map<string, string>();
  /** The HTTP listener's port once it listens (the plain-http fault loads a script from it). */
  httpPort: number | undefined;

  private constructor(
    readonly settings: PortalSettings,
    readonly accounts: AccountStore,
    faultSpecs: readonly string[],
  ) {
    this.faults = new FaultSet(faultSpecs);
    this.totp = new TotpVerifier(settings.totpDigits, settings.totpPeriodS);
    this.lockout = new LockoutTracker({ threshold: settings.lockoutThreshold, lockMs: settings.lockoutMs });
    this.sessions = new SessionStore(() => this.timeouts());
    this.resetLinks = new ResetLinks(settings.resetLinkTtlMs);
    this.activationExpiresAt = Date.now() + settings.activationTtlMs;
  }

  static async create(settings: PortalSettings, accounts: readonly DemoAccount[], faultSpecs: readonly string[]): Promise<PortalState> {
    // Faults are validated before the (slow) password hashing so a typo fails fast.
    new FaultSet(faultSpecs);
    return new PortalState(settings, await AccountStore.create(accounts), faultSpecs);
  }

  /** Faults override the configured timeouts, the way a vendor update silently would. */
  timeouts(): SessionTimeouts {
    return {
      idleMs: this.faults.find('idle-timeout')?.ms ?? this.settings.idleTimeoutMs,
      absoluteMs: this.faults.find('absolute-timeout')?.ms ?? this.settings.absoluteTimeoutMs,
    };
  }

  /** Failed passwords that lock an account: the lockout-after fault overrides the setting. */
  lockoutThreshold(): number {
    return this.faults.find('lockout-after')?.failures ?? this.settings.lockoutThreshold;
  }

  setFaults(specs: readonly string[]): void {
    this.faults.replace(specs);
    this.events.record('faults-changed', { detail: this.faults.specs().join(' ') || 'none' });
  }

  hasAcknowledgedToday(accountId: string): boolean {
    return this.acknowledged.get(accountId) === localDate(Date.now());
  }

  acknowledge(accountId: string): void {
    this.acknowledged.set(accountId, localDate(Date.now()));
  }

  /** Clears lockouts, used TOTP steps, acknowledgments, sessions and events — not accounts, faults or the outbox. */
  reset(): void {
    this.lockout.clearAll();
    this.totp.clear();
    this.acknowledged.clear();
    this.sessions.clear();
    this.faults.resetCounters();
    this.events.clear();
  }
}
