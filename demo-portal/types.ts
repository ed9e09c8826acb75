/**
 * Public types of the demo portal. Other parts of portal-probe (config, fixtures, tests)
 * program against these shapes, so they change only together with demo-portal/README.md.
 */

export interface DemoPortalOptions {
  /** HTTP port; 0 (default) picks a free one. */
  port?: number;
  /** HTTPS port; 0 (default) picks a free one. Ignored when `https` is false. */
  httpsPort?: number;
  /** Default true: a self-signed certificate (CN localhost, SAN 127.0.0.1 + localhost) is made at start-up. */
  https?: boolean;
  /** Certificate validity in days (default 365). Zero or negative gives an already-expired certificate. */
  certDays?: number;
  /** Always loopback: the portal has fixed demo credentials and must never face a network. */
  host?: '127.0.0.1';
  /** Fault specs, see demo-portal/README.md. */
  faults?: string[];
  idleTimeoutMs?: number;
  absoluteTimeoutMs?: number;
  lockoutThreshold?: number;
  lockoutMs?: number;
  resetLinkTtlMs?: number;
  activationTtlMs?: number;
  /** MFA page uses one-digit boxes (one per code digit) instead of one field. */
  otpBoxes?: boolean;
  /** Length of TOTP codes, for the whole portal (both flavours). Default 6. */
  totpDigits?: 6 | 8;
  /** Length of a TOTP time step in seconds, for the whole portal. Default 30 (RFC 6238's). */
  totpPeriodS?: number;
  /** Extra (fake) patient names appended to the physician schedule in both flavours, marked data-phi — e.g. a canary. */
  patients?: string[];
  /** Single-page flavour: the keep-alive refreshes only if the user gave input within this window. Default 5 minutes. */
  spaActivityWindowMs?: number;
  /** Single-page flavour: how often the keep-alive timer fires while signed in. Default 60 s. */
  spaRefreshEveryMs?: number;
  adminToken?: string;
  logger?: boolean;
  accounts?: DemoAccountSeed[];
}

export type AccountKind = 'provider' | 'patient';
export type AccountRole = 'physician' | 'billing' | 'patient';
export type AccountStatus = 'active' | 'pending-activation';

export interface DemoAccount {
  id: string;
  kind: AccountKind;
  role: AccountRole;
  username: string;
  npi?: string;
  password: string;
  totpSeed: string;
  displayName: string;
  firstName?: string;
  lastName?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  activationToken?: string;
  status: AccountStatus;
}

/** Seeds may leave out `id` (defaults to username) and `status` (defaults to active). */
export type DemoAccountSeed = Omit<DemoAccount, 'id' | 'status'> & { id?: string; status?: AccountStatus };

export type PortalEventType =
  | 'login-failed'
  | 'login-locked'
  | 'password-verified'
  | 'mfa-accepted'
  | 'mfa-rejected'
  | 'mfa-replay'
  | 'session-created'
  | 'session-expired'
  | 'logout'
  | 'acknowledged'
  | 'notice-accepted'
  | 'access-denied'
  | 'password-reset-requested'
  | 'password-reset'
  | 'reset-link-rejected'
  | 'activation-failed'
  | 'account-activated'
  | 'faults-changed';

/** Security-relevant event. Never carries passwords, codes, seeds, tokens or session ids. */
export interface PortalEvent {
  /** ISO-8601 timestamp. */
  at: string;
  type: PortalEventType;
  account?: string;
  /** The DEMO_STEPS step it happened in, when it belongs to one. */
  step?: string;
  /** Short non-secret qualifier, e.g. 'idle' / 'absolute' for session-expired. */
  detail?: string;
}

export interface OutboxMessage {
  to: string;
  subject: string;
  link: string;
  sentAt: string;
}

export interface DemoPortal {
  /** http://127.0.0.1:PORT */
  url: string;
  /** https://127.0.0.1:PORT (also reachable as https://localhost:PORT) */
  httpsUrl?: string;
  adminToken: string;
  /** The TOTP time step in seconds (a config for this portal sets `totp.periodSeconds` to it). */
  totpPeriodS: number;
  /** Plaintext seed passwords and TOTP seeds, for tests; the server itself keeps only scrypt hashes. */
  accounts: DemoAccount[];
  faults(): string[];
  setFaults(specs: string[]): void;
  /** Marks accounts (default: all) as having acknowledged today's notice, as a first login of the day would: for benchmarks that must not mix interstitial and direct sign-ins. */
  acknowledgeToday(accountIds?: string[]): void;
  outbox(): OutboxMessage[];
  events(): PortalEvent[];
  reset(): void;
  close(): Promise<void>;
}
