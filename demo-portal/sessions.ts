/**
 * Server-side sessions. The cookie carries only a random id; everything else lives here, so
 * logout and expiry are decided by the server — which is exactly what the session checks probe.
 */
import { randomBytes } from 'node:crypto';
import type { AccountKind } from './types.ts';

export type SessionStage = 'pre-auth' | 'authenticated';

export interface Session {
  id: string;
  accountId: string;
  /** Which login page started it; decides where the flow continues. */
  flavour: AccountKind;
  stage: SessionStage;
  createdAt: number;
  lastSeenAt: number;
  authenticatedAt?: number;
  /** extra-step fault: the "updated terms" interstitial still has to be accepted. */
  noticePending: boolean;
}

export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export type ExpiryReason = 'idle' | 'absolute' | 'pre-auth';

export type SessionLookup =
  | { state: 'valid'; session: Session }
  | { state: 'expired'; accountId: string; reason: ExpiryReason }
  | { state: 'unknown' };

/** Between password and code; long enough for a person to open an authenticator app. */
const PRE_AUTH_MS = 5 * 60_000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function isWellFormedSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  /** Timeouts are read on every check so a fault switched at run time applies to live sessions, as a vendor change would. */
  constructor(
    private readonly timeouts: () => SessionTimeouts,
    private readonly now: () => number = Date.now,
  ) {}

  createPreAuth(accountId: string, flavour: AccountKind, id: string = newSessionId()): Session {
    const now = this.now();
    this.sessions.delete(id);
    const session: Session = { id, accountId, flavour, stage: 'pre-auth', createdAt: now, lastSeenAt: now, noticePending: false };
    this.sessions.set(id, session);
    return session;
  }

  /** MFA success: the pre-auth session becomes authenticated, under a new id unless `rotate` is false. */
  authenticate(session: Session, rotate: boolean): Session {
    const now = this.now();
    this.sessions.delete(session.id);
    const next: Session = { ...session, id: rotate ? newSessionId() : session.id, stage: 'authenticated', authenticatedAt: now, lastSeenAt: now };
    this.sessions.set(next.id, next);
    return next;
  }

  lookup(id: string | undefined): SessionLookup {
    if (id === undefined) return { state: 'unknown' };
    const session = this.sessions.get(id);
    if (!session) return { state: 'unknown' };
    const reason = this.expiryReason(session);
    if (reason === undefined) return { state: 'valid', session };
    this.sessions.delete(id);
    return { state: 'expired', accountId: session.accountId, reason };
  }

  /** An authenticated request restarts the idle clock. */
  touch(session: Session): void {
    session.lastSeenAt = this.now();
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Milliseconds until the session ends unless it is used again. */
  expiresInMs(session: Session): number {
    return Math.max(0, this.deadline(session) - this.now());
  }

  /** Drops expired sessions nobody asked about again, so a long demo run does not grow without bound. */
  sweep(): void {
    for (const [id, session] of this.sessions) {
      if (this.expiryReason(session) !== undefined) this.sessions.delete(id);
    }
  }

  clear(): void {
    this.sessions.clear();
  }

  private deadline(session: Session): number {
    if (session.stage === 'pre-auth') return session.createdAt + PRE_AUTH_MS;
    const { idleMs, absoluteMs } = this.timeouts();
    return Math.min(session.lastSeenAt + idleMs, (session.authenticatedAt ?? session.createdAt) + absoluteMs);
  }

  private expiryReason(session: Session): ExpiryReason | undefined {
    const now = this.now();
    if (session.stage === 'pre-auth') return now >= session.createdAt + PRE_AUTH_MS ? 'pre-auth' : undefined;
    const { idleMs, absoluteMs } = this.timeouts();
    if (now >= (session.authenticatedAt ?? session.createdAt) + absoluteMs) return 'absolute';
    if (now >= session.lastSeenAt + idleMs) return 'idle';
    return undefined;
  }
}
