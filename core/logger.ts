/**
 * The one root logger. Everything else gets a child (`logger.child({ run, check,
 * browser })`) so context travels with the logger instead of being repeated in
 * every call.
 *
 * Secrets are masked twice, on purpose:
 *  1. by field name (`redact.paths`), which is cheap and catches the obvious case of
 *     logging an account object or request headers;
 *  2. by value (`hooks.streamWrite`), over the finished JSON line, which catches a
 *     password that slipped into a message, an interpolated argument, an error
 *     message or stack, a URL, or a child's bindings — places no path can name.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import path from 'node:path';
import { HarnessError } from './errors.ts';
import { createRedactor, REDACTED } from './redact.ts';

export type { Logger } from 'pino';

/**
 * Field names whose values are secret. pino wildcards match exactly one level, so each
 * depth is listed explicitly; the list is fixed here and never built from user input
 * (a path built from config could be made to match nothing, or to throw).
 */
const SECRET_KEYS = ['password', 'totpSeed', 'seed', 'code', 'otp', 'token', 'cookie', 'authorization', 'webhookUrl'] as const;
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  // Account objects nested one level further, e.g. { portal: { account: { password } } }.
  '*.*.password',
  '*.*.totpSeed',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

/**
 * `code` is both "the TOTP code" and "the error code" (`err.code: 'ECONNREFUSED'`,
 * HarnessError's 'CONFIG_INVALID'). Masking error codes would blind the person on
 * call, so a `code` that is plainly an error identifier (upper-case letters and
 * underscores, no digits) or a small status number is kept; anything else — six
 * digits, an alphanumeric backup code — is masked.
 */
function censor(value: unknown, keyPath: string[]): unknown {
  if (keyPath[keyPath.length - 1] === 'code') {
    if (typeof value === 'string' && /^[A-Z][A-Z_]{2,}$/.test(value)) return value;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1000) return value;
  }
  return REDACTED;
}

export interface LoggerOptions {
  /** A pino level name; defaults to "info". */
  level?: string;
  /** Resolved secret values (SecretStore.values()) to mask wherever they appear. */
  secrets?: string[];
  /** A file path (created with its directory) or a stream; defaults to stderr. */
  destination?: string | NodeJS.WritableStream;
  /** Pretty printing is deliberately unsupported: logs are JSON lines for machines. */
  pretty?: false;
}

/** Context carried by child loggers; named so call sites agree on spelling. */
export interface LogContext {
  run?: string;
  portal?: string;
  check?: string;
  browser?: string;
  viewport?: string;
  account?: string;
}

/**
 * Synchronous writes: a probe logs a few hundred lines a run, so speed is no issue,
 * and a synchronous line is on disk even if the process is then killed by a scheduler
 * timeout or crashes in a browser driver — exactly the runs whose logs matter.
 */
function openDestination(destination: LoggerOptions['destination']): DestinationStream {
  // stderr by default: stdout carries the run's human/JSON report, and a log line in
  // the middle of `portal-probe run --json > results.json` would corrupt it.
  if (destination === undefined) return pino.destination({ dest: 2, sync: true });
  if (typeof destination === 'string') {
    return pino.destination({ dest: path.resolve(destination), mkdir: true, sync: true });
  }
  return destination as DestinationStream;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const level = o.level ?? 'info';
  if (!Object.hasOwn(pino.levels.values, level) && level !== 'silent') {
    throw new HarnessError('USAGE', `Log level "${level}" is not one of ${Object.keys(pino.levels.values).join(', ')}, silent.`);
  }
  const redact = createRedactor(o.secrets ?? []);
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor },
      hooks: { streamWrite: redact },
    },
    openDestination(o.destination),
  );
}

/** A child logger with run/check/browser context; a thin wrapper so the keys are typed. */
export function childLogger(logger: Logger, context: LogContext): Logger {
  return logger.child(context);
}

/**
 * Resolves once everything logged so far has been handed to the destination. File and
 * stderr destinations are synchronous, so this matters for streams passed in (and
 * keeps callers correct if that ever changes); the CLI awaits it before returning its
 * exit code.
 */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    // A failing flush (disk full, closed pipe) must not turn into a second failure
    // that hides the first: there is nowhere left to report it, so we just resolve.
    logger.flush(() => resolve());
  });
}
