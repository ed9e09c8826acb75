/**
 * Password-reset links: valid for a limited time and usable once, like the vendor links in
 * the incident the design notes describe. Only a hash of each token is stored, so the admin
 * API or a heap dump never shows a usable link.
 */
import { createHash, randomBytes } from 'node:crypto';

interface ResetRecord {
  accountId: string;
  expiresAt: number;
  usedAt?: number;
}

export type ResetLinkState = { state: 'valid'; accountId: string } | { state: 'expired' | 'used' | 'unknown' };

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class ResetLinks {
  private readonly records = new Map<string, ResetRecord>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(accountId: string): string {
    const token = randomBytes(32).toString('base64url');
    this.records.set(digest(token), { accountId, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** "Used" wins over "expired": a used link stays used, whatever its age. */
  check(token: string): ResetLinkState {
    const record = this.records.get(digest(token));
    if (!record) return { state: 'unknown' };
    if (record.usedAt !== undefined) return { state: 'used' };
    if (this.now() >= record.expiresAt) return { state: 'expired' };
    return { state: 'valid', accountId: record.accountId };
  }

  consume(token: string): void {
    const record = this.records.get(digest(token));
    if (record) record.usedAt = this.now();
  }
}
