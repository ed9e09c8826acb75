/**
 * Structured log of security-relevant events, read by tests and by the admin API. It is the
 * portal's audit trail, so it must never hold a secret: callers pass only ids and step names.
 */
import type { PortalEvent, PortalEventType } from './types.ts';

/** Enough for a long demo session; older events fall off the front. */
const MAX_EVENTS = 5_000;

export class EventLog {
  private entries: PortalEvent[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  record(type: PortalEventType, fields: { account?: string; step?: string; detail?: string } = {}): void {
    const event: PortalEvent = { at: new Date(this.now()).toISOString(), type };
    if (fields.account !== undefined) event.account = fields.account;
    if (fields.step !== undefined) event.step = fields.step;
    if (fields.detail !== undefined) event.detail = fields.detail;
    this.entries.push(event);
    if (this.entries.length > MAX_EVENTS) this.entries = this.entries.slice(-MAX_EVENTS);
  }

  list(): PortalEvent[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
