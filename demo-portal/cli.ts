/**
 * `portal-probe demo-portal …` and `tsx demo-portal/cli.ts …`: run the demo portal in the
 * foreground until SIGINT/SIGTERM. It prints what a person needs to try it (URLs, admin token,
 * account names) but never passwords or seeds — those stay in demo-portal/accounts.ts.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseDuration } from './durations.ts';
import { startDemoPortal, type DemoPortalOptions } from './index.ts';

const USAGE = `Usage: portal-probe demo-portal [options]

  --port N              HTTP port (default: any free port)
  --https-port N        HTTPS port (default: any free port)
  --no-https            serve HTTP only
  --fault SPEC          inject a fault; repeatable (see demo-portal/README.md)
  --idle-timeout DUR    idle session timeout, e.g. 90s, 30m (default 30m)
  --absolute-timeout DUR  absolute session timeout, e.g. 12h (default 12h)
  --otp-boxes           one-digit boxes on the verification page
  --totp-digits N       length of TOTP codes: 6 (default) or 8
  --patient NAME        add a (fake) patient to the physician schedule; repeatable
  --spa-activity-window DUR  single-page app: refresh the session only after input within DUR (default 5m)
  --spa-refresh-every DUR    single-page app: keep-alive timer period (default 60s)
  -h, --help            show this help`;

function port(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new Error(`--${flag} must be a port number from 0 to 65535, got "${text}".`);
  return n;
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`--${flag} must be a duration like 500ms, 20s, 5m or 1h, got "${text}".`);
  return ms;
}

/** Parses the command line into portal options; throws an Error with a one-line message on bad input. */
export function parseCliArgs(argv: readonly string[]): DemoPortalOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'https-port': { type: 'string' },
      'no-https': { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      'idle-timeout': { type: 'string' },
      'absolute-timeout': { type: 'string' },
      'otp-boxes': { type: 'boolean' },
      'totp-digits': { type: 'string' },
      patient: { type: 'string', multiple: true },
      'spa-activity-window': { type: 'string' },
      'spa-refresh-every': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const opts: DemoPortalOptions = { https: !values['no-https'], faults: values.fault ?? [], otpBoxes: values['otp-boxes'] ?? false };
  const httpPort = port('port', values.port);
  const httpsPort = port('https-port', values['https-port']);
  const idle = duration('idle-timeout', values['idle-timeout']);
  const absolute = duration('absolute-timeout', values['absolute-timeout']);
  if (httpPort !== undefined) opts.port = httpPort;
  if (httpsPort !== undefined) opts.httpsPort = httpsPort;
  if (idle !== undefined) opts.idleTimeoutMs = idle;
  if (absolute !== undefined) opts.absoluteTimeoutMs = absolute;
  const digits = values['totp-digits'];
  if (digits !== undefined) {
    if (digits !== '6' && digits !== '8') throw new Error(`--totp-digits must be 6 or 8, got "${digits}".`);
    opts.totpDigits = digits === '8' ? 8 : 6;
  }
  if (values.patient !== undefined) opts.patients = values.patient;
  const activity = duration('spa-activity-window', values['spa-activity-window']);
  const refresh = duration('spa-refresh-every', values['spa-refresh-every']);
  if (activity !== undefined) opts.spaActivityWindowMs = activity;
  if (refresh !== undefined) opts.spaRefreshEveryMs = refresh;
  return opts;
}

interface SignalWait {
  received: Promise<NodeJS.Signals>;
  dispose(): void;
}

function waitForSignal(): SignalWait {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const received = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      dispose();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { received, dispose };
}

/** Runs until SIGINT/SIGTERM; resolves to the exit code (0 after a clean stop, 2 on bad usage or start failure). */
export async function main(argv: string[]): Promise<number> {
  let opts: DemoPortalOptions | 'help';
  try {
    opts = parseCliArgs(argv);
  } catch (err) {
    console.error(`demo-portal: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return 0;
  }
  // Listen for signals before starting, so a Ctrl-C during start-up still shuts down cleanly.
  const signal = waitForSignal();
  let portal;
  try {
    portal = await startDemoPortal(opts);
  } catch (err) {
    signal.dispose();
    console.error(`demo-portal: could not start: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const lines = [
    'Demo portal running',
    `  HTTP:        ${portal.url}/login   (patients: ${portal.url}/patient/login)`,
    `  Single-page: ${portal.url}/app   (sign-in in an iframe: ${portal.url}/app/embedded)`,
    ...(portal.httpsUrl ? [`  HTTPS:       ${portal.httpsUrl}/login   (self-signed certificate; also https://localhost:${new URL(portal.httpsUrl).port})`] : []),
    `  Admin token: ${portal.adminToken}   (Authorization: Bearer <token> on /__admin/*)`,
    `  Faults:      ${portal.faults().join(', ') || 'none'}`,
    '  Accounts:',
    ...portal.accounts.map((a) => `    ${a.username.padEnd(14)} ${a.role.padEnd(10)}${a.npi ? ` NPI ${a.npi}` : ''}${a.status === 'active' ? '' : ` (${a.status})`}`),
    '  Passwords and TOTP seeds of these demo accounts are in demo-portal/accounts.ts.',
    'Press Ctrl-C to stop.',
  ];
  console.log(lines.join('\n'));
  const received = await signal.received;
  await portal.close();
  console.log(`demo-portal: ${received} received, stopped.`);
  return 0;
}

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  // Exit code only; the event loop drains by itself once the servers are closed.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 2;
    },
  );
}
