/**
 * Account lockout as help-desk guides describe it: N consecutive failed passwords within the
 * lockout window lock the account for the lockout period, and while locked even the right
 * password is refused. Only existing accounts are tracked — counting unknown usernames would
 * let anyone lock out names that do not exist yet, and would reveal which names exist.
 */

interface LockoutRecord {
  /** Times of consecutive failures still inside the window. */
  failures: number[];
  lockedUntil?: number;
}

export interface LockoutPolicy {
  threshold: number;
  lockMs: number;
}

export type FailureOutcome = { locked: false; failures: number } | { locked: true; newlyLocked: boolean };

export class LockoutTracker {
  private readonly records = new Map<string, LockoutRecord>();

  constructor(
    private readonly policy: LockoutPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the account is locked right now; an expired lock is forgotten here. */
  isLocked(accountId: string): boolean {
    const record = this.records.get(accountId);
    if (record?.lockedUntil === undefined) return false;
    if (record.lockedUntil > this.now()) return true;
    this.records.delete(accountId);
    return false;
  }

  /**
   * Counts a failed password; the failure that reaches the threshold is itself answered as
   * locked. `threshold` overrides the policy's (the lockout-after fault).
   */
  recordFailure(accountId: string, threshold = this.policy.threshold): FailureOutcome {
    if (this.isLocked(accountId)) return { locked: true, newlyLocked: false };
    const now = this.now();
    const record = this.records.get(accountId) ?? { failures: [] };
    record.failures = record.failures.filter((t) => now - t < this.policy.lockMs);
    record.failures.push(now);
    this.records.set(accountId, record);
    if (record.failures.length >= threshold) {
      record.lockedUntil = now + this.policy.lockMs;
      record.failures = [];
      return { locked: true, newlyLocked: true };
    }
    return { locked: false, failures: record.failures.length };
  }

  /** A correct password ends the run of consecutive failures. */
  recordSuccess(accountId: string): void {
    this.records.delete(accountId);
  }

  /** A completed password reset unlocks, as the help-desk flow promises. */
  clear(accountId: string): void {
    this.records.delete(accountId);
  }

  clearAll(): void {
    this.records.clear();
  }
}
