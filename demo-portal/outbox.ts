/**
 * The portal's "mail server": password-reset links land here instead of in an inbox, so a
 * journey can follow the link and a test can assert what a user would have received.
 */
import type { OutboxMessage } from './types.ts';

const MAX_MESSAGES = 1_000;

export class Outbox {
  private messages: OutboxMessage[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  send(message: Omit<OutboxMessage, 'sentAt'>): void {
    this.messages.push({ ...message, sentAt: new Date(this.now()).toISOString() });
    if (this.messages.length > MAX_MESSAGES) this.messages = this.messages.slice(-MAX_MESSAGES);
  }

  list(): OutboxMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }
}

/** Demo accounts have no real address; a reserved .test domain can never deliver anywhere. */
export function demoAddress(username: string): string {
  return `${username}@demo-portal.test`;
}
