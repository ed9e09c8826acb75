/**
 * The portal-probe command line. The only place that exits the process: every command
 * returns its exit code, so logs and reports are flushed first.
 *   0 all passed · 1 a check failed or regressed · 2 configuration or harness error
 */
import { parseArgs } from 'node:util';
import { browserNames, type BrowserName } from '../config/schema.ts';
import { EXIT, HarnessError, isHarnessError } from '../core/errors.ts';
import { parseShard } from '../core/plan.ts';
// Each command's modules are loaded when it runs (Playwright alone takes a third of a second
// to load): `report`, `merge`, `history` or `--help` do not pay for what they do not use.

const RUN_USAGE = `Usage: portal-probe run [options]

Runs the journeys in every configured browser × viewport.

  --config PATH        config file (default: ./portal-probe.config.ts|.json, else the embedded demo)
  --journeys a,b       only these journeys (by name)
  --checks a,b         only these kinds: groups login, session, security, or single kinds
                       (idle-expiry, absolute-expiry, logout-ends-session, session-rotation,
                       cookie-policy, cache-policy, totp-single-use, generic-login-errors,
                       lockout, transport, role-access)
  --browsers a,b       override the browsers (${browserNames.join(', ')})
  --viewports a,b      only these of the configured viewports (by name)
  --workers N          parallel browsers
  --output DIR         results directory (default .portal-probe/results)
  --label key=value    add a label to the results (repeatable), e.g. vendorVersion=2026.3
  --fault SPEC         demo portal only: inject a fault (repeatable), e.g. delay:login:1000
  --store FILE         history database (default: the config's "store", .portal-probe/history.db)
  --location NAME      this probe's network location label (default: the config's, else the host name)
  --no-regression-exit a regression alone does not make the exit code 1
  --shard I/N          run this machine's share of the matrix (every machine the same --browsers
                       and --viewports); the session and security checks run on shard 1
  --checks-shard K     the shard that runs the session and security checks (default 1)
  --run-group ID       an id every machine of one matrix run records (e.g. the CI run id)
  --accounts a,b       only these of the config's accounts are used here (one pool per machine)
  --json               print the results as JSON instead of the table

Each run folder is a results bundle (results.json, bundle.json, artifacts): merge the
bundles of a matrix run's machines with "portal-probe merge".`;

/** Each command's usage, printed by `portal-probe <command> --help` (exit 0); some from their own modules. */
const LOADED_USAGE: Record<string, () => Promise<string>> = {
  monitor: async () => (await import('./monitor.ts')).MONITOR_USAGE,
  gate: async () => (await import('./gate.ts')).GATE_USAGE,
  history: async () => (await import('./history.ts')).HISTORY_USAGE,
  report: async () => (await import('./report.ts')).REPORT_USAGE,
  merge: async () => (await import('./merge.ts')).MERGE_USAGE,
};
const USAGE: Record<string, string> = {
  run: RUN_USAGE,
  validate: `Usage: portal-probe validate [--config PATH]

Checks a config file and resolves its secret references; runs nothing.
Every problem is printed with its path; exit 2 if there is one.`,
  browsers: `Usage: portal-probe browsers

Shows which browsers this machine has (Playwright's build, a PORTAL_PROBE_<NAME>_PATH,
or a system install), and why the others are missing.`,
  init: `Usage: portal-probe init

Writes a starter portal-probe.config.ts and journeys/example.journey.ts into the current
folder (pointing at the built-in demo portal, commented for adapting to yours), then
validates them. Refuses, exit 2, if either file (or another portal-probe.config.*) exists.`,
  setup: `Usage: portal-probe setup [--if-needed]

Installs browsers: Playwright's builds (npx playwright install), else Debian's chromium
and firefox-esr when running as root with apt-get.
  --if-needed          do nothing when Chromium and Firefox are already found`,
};

const HELP = `portal-probe — synthetic login monitoring for healthcare portals

Usage: portal-probe <command> [options]     portal-probe <command> --help

Commands:
  init           write a starter config and an example journey into this folder
  run            run the journeys in every configured browser × viewport
  monitor        run the journeys on their schedules; incidents to Slack; /metrics
  history        recent runs, or one journey's step trend, from the history store
  gate           compare candidate runs with baseline runs (the vendor-update gate)
  report         the compatibility-matrix report (HTML, Markdown, JSON) of a run or run set
  merge          merge the results bundles of a matrix run's machines into one results.json and report
  validate       check a config file and its secret references; run nothing
  browsers       show which browsers this machine has, and why others are missing
  setup          install browsers (Playwright's builds, else Debian packages as root)
  demo-portal    start the embedded demo portal on its own

${RUN_USAGE.split('\n').slice(4).join('\n').replace(/^/, 'run options:\n')}

Exit codes: 0 all passed, 1 a check failed or regressed, 2 configuration or harness error,
3 (gate) inconclusive.`;

function splitList(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseLabels(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new HarnessError('USAGE', `--label ${v} must look like key=value.`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: {
      config: { type: 'string' }, journeys: { type: 'string' }, checks: { type: 'string' }, browsers: { type: 'string' },
      viewports: { type: 'string' }, workers: { type: 'string' }, output: { type: 'string' },
      label: { type: 'string', multiple: true, default: [] }, fault: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
      store: { type: 'string' }, location: { type: 'string' }, 'no-regression-exit': { type: 'boolean', default: false },
      shard: { type: 'string' }, 'checks-shard': { type: 'string' }, 'run-group': { type: 'string' }, accounts: { type: 'string' },
    },
  });
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const checksShard = values['checks-shard'] === undefined ? undefined : Number(values['checks-shard']);
  if (checksShard !== undefined && (!Number.isInteger(checksShard) || checksShard < 1)) throw new HarnessError('USAGE', '--checks-shard must be a whole number of at least 1.');
  if (checksShard !== undefined && !shard) throw new HarnessError('USAGE', '--checks-shard applies only with --shard.');
  if (checksShard !== undefined && shard && checksShard > shard.total) throw new HarnessError('USAGE', `--checks-shard ${checksShard} is not one of the ${shard.total} shards.`);
  if (values['run-group'] !== undefined && !/^[\w.:-]{1,128}$/.test(values['run-group'])) throw new HarnessError('USAGE', '--run-group must be 1 to 128 letters, digits, ".", ":", "_" or "-".');
  const browsers = splitList(values.browsers);
  const bad = browsers?.filter((b) => !(browserNames as readonly string[]).includes(b)) ?? [];
  if (bad.length) throw new HarnessError('USAGE', `--browsers: unknown browser(s) ${bad.join(', ')}; use ${browserNames.join(', ')}.`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new HarnessError('USAGE', '--workers must be a whole number of at least 1.');
  const { runCommand } = await import('./run.ts');
  return runCommand({
    cwd: process.cwd(), faults: values.fault, journeys: splitList(values.journeys) ?? [], checks: splitList(values.checks) ?? [], labels: parseLabels(values.label), json: values.json,
    ...(values.config ? { configPath: values.config } : {}),
    ...(browsers ? { browsers: browsers as BrowserName[] } : {}),
    ...(values.viewports ? { viewports: splitList(values.viewports) ?? [] } : {}),
    ...(workers ? { workers } : {}),
    ...(values.output ? { outputDir: values.output } : {}),
    ...(values.store ? { store: values.store } : {}),
    ...(values.location ? { location: values.location } : {}),
    ...(shard ? { shard } : {}),
    ...(checksShard !== undefined ? { checksShard } : {}),
    ...(values['run-group'] ? { runGroup: values['run-group'] } : {}),
    ...(values.accounts ? { accounts: splitList(values.accounts) ?? [] } : {}),
    regressionExit: !values['no-regression-exit'],
  });
}

async function monitor(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true,
    options: {
      config: { type: 'string' }, once: { type: 'boolean', default: false }, store: { type: 'string' }, location: { type: 'string' },
      output: { type: 'string' }, 'metrics-port': { type: 'string' },
    },
  });
  const port = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new HarnessError('USAGE', '--metrics-port must be a port number from 0 to 65535.');
  const { monitorCommand } = await import('./monitor.ts');
  return monitorCommand({
    cwd: process.cwd(), once: values.once,
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.store ? { store: values.store } : {}),
    ...(values.location ? { location: values.location } : {}),
    ...(values.output ? { outputDir: values.output } : {}),
    ...(port !== undefined ? { metricsPort: port } : {}),
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const usageOf = async (c: string | undefined): Promise<string | undefined> => (c === undefined ? undefined : USAGE[c] ?? await LOADED_USAGE[c]?.());
  const usage = await usageOf(command);
  if (usage && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(usage);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'run': return await run(rest);
      case 'monitor': return await monitor(rest);
      case 'validate': return await (await import('./validate.ts')).validateCommand(rest);
      case 'gate': return await (await import('./gate.ts')).gateCommand(rest);
      case 'history': return await (await import('./history.ts')).historyCommand(rest);
      case 'report': return await (await import('./report.ts')).reportCommand(rest);
      case 'merge': return await (await import('./merge.ts')).mergeCommand(rest);
      case 'init': return await (await import('./init.ts')).initCommand(rest);
      case 'setup': return await (await import('./setup.ts')).setupCommand(rest);
      case 'browsers': {
        const { describeBrowsers, findBrowsers } = await import('../core/browsers.ts');
        for (const line of describeBrowsers(findBrowsers(browserNames))) console.log(line);
        return EXIT.ok;
      }
      case 'demo-portal': {
        const { main: demoMain } = await import('../demo-portal/cli.ts');
        return await demoMain(rest);
      }
      case 'help': {
        const topic = await usageOf(rest[0]);
        console.log(topic ?? HELP);
        return EXIT.ok;
      }
      case undefined: case '--help': case '-h':
        console.log(HELP);
        return command === undefined ? EXIT.harness : EXIT.ok;
      default:
        console.error(`portal-probe: unknown command "${command}". Run "portal-probe help".`);
        return EXIT.harness;
    }
  } catch (e) {
    if (isHarnessError(e)) {
      console.error(`portal-probe: ${e.message}`);
      for (const d of e.details) console.error(`  - ${d}`);
      return e.exitCode;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`portal-probe: ${e.message}. Run "portal-probe help".`);
      return EXIT.harness;
    }
    console.error(`portal-probe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.harness;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isEntry) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
