/**
 * Harness faults — the tool itself could not do its job (bad config, browser missing,
 * output unwritable). A portal misbehaving is never one of these: that is a result.
 */
export const EXIT = {
  ok: 0,
  checksFailed: 1,
  harness: 2,
} as const;

export type HarnessErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'SECRET_MISSING'
  | 'BROWSER_MISSING'
  | 'BROWSER_FAILED'
  | 'OUTPUT_UNWRITABLE'
  | 'USAGE'
  | 'DEMO_PORTAL'
  | 'RUNNER_FAILED'
  | 'TOTP_RESERVATION'
  | 'STORE_UNWRITABLE'
  | 'STORE_CORRUPT'
  | 'STORE_VERSION'
  | 'BUNDLE_INVALID'
  | 'BUNDLE_MISMATCH';

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  /** Extra lines (e.g. one per config issue) printed under the one-sentence message. */
  readonly details: readonly string[];
  readonly exitCode: number;

  constructor(code: HarnessErrorCode, message: string, options: { cause?: unknown; details?: readonly string[]; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? EXIT.harness;
  }
}

export function isHarnessError(e: unknown): e is HarnessError {
  return e instanceof HarnessError;
}
