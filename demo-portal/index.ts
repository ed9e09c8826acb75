/**
 * Programmatic entry to the demo portal: start it, inspect it, switch its faults, stop it.
 * The shape of this module is depended on by the config, fixtures and tests — see README.md.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BUILT_IN_ACCOUNTS, expandSeeds } from './accounts.ts';
import { buildApp } from './server.ts';
import { PortalState, resolveSettings } from './state.ts';
import { makeSelfSignedCert } from './tls.ts';
import type { DemoAccount, DemoPortal, DemoPortalOptions } from './types.ts';

export { DEMO_STEPS, parseFault, type DemoStep, type Fault, type Engine } from './faults.ts';
export { BUILT_IN_ACCOUNTS } from './accounts.ts';
export { resolveSettings, type PortalSettings } from './state.ts';
export type { TotpDigits } from './totp.ts';
export type {
  AccountKind,
  AccountRole,
  AccountStatus,
  DemoAccount,
  DemoAccountSeed,
  DemoPortal,
  DemoPortalOptions,
  OutboxMessage,
  PortalEvent,
  PortalEventType,
} from './types.ts';

const HOST = '127.0.0.1';
const SWEEP_INTERVAL_MS = 60_000;
const MIN_SEED_CHARS = 32; // base32: 32 characters = 20 bytes, the RFC 4226 recommendation.

function checkAccounts(accounts: readonly DemoAccount[]): void {
  const ids = new Set<string>();
  for (const account of accounts) {
    if (ids.has(account.id)) throw new Error(`Demo portal account id "${account.id}" is used twice.`);
    ids.add(account.id);
    if (!/^[A-Z2-7]+=*$/.test(account.totpSeed) || account.totpSeed.replace(/=+$/, '').length < MIN_SEED_CHARS) {
      throw new Error(`Demo portal account "${account.id}" needs a base32 TOTP seed of at least 20 bytes (32 characters).`);
    }
    if (account.status === 'pending-activation' && account.activationToken === undefined) {
      throw new Error(`Demo portal account "${account.id}" is pending activation but has no activationToken.`);
    }
  }
}

function portOf(app: FastifyInstance): number {
  return (app.server.address() as AddressInfo).port;
}

export async function startDemoPortal(opts: DemoPortalOptions = {}): Promise<DemoPortal> {
  if (opts.host !== undefined && opts.host !== HOST) throw new Error(`The demo portal binds ${HOST} only, not ${String(opts.host)}.`);
  const settings = resolveSettings(opts);
  const accounts = expandSeeds(opts.accounts ?? BUILT_IN_ACCOUNTS);
  checkAccounts(accounts);
  const state = await PortalState.create(settings, accounts, opts.faults ?? []);

  const apps: FastifyInstance[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(apps.map((app) => app.close()));
  };
  let httpsUrl: string | undefined;
  let url: string;
  try {
    const httpApp = buildApp(state, { logger: settings.logger });
    apps.push(httpApp);
    await httpApp.listen({ host: HOST, port: opts.port ?? 0 });
    url = `http://${HOST}:${portOf(httpApp)}`;
    state.httpPort = portOf(httpApp);
    if (opts.https ?? true) {
      const tls = await makeSelfSignedCert(opts.certDays ?? 365);
      const httpsApp = buildApp(state, { logger: settings.logger, https: tls });
      apps.push(httpsApp);
      await httpsApp.listen({ host: HOST, port: opts.httpsPort ?? 0 });
      httpsUrl = `https://${HOST}:${portOf(httpsApp)}`;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  // Expired sessions nobody revisits would otherwise stay in memory for the life of the demo.
  const sweeper = setInterval(() => state.sessions.sweep(), SWEEP_INTERVAL_MS);
  sweeper.unref();
  let closing: Promise<void> | undefined;

  return {
    url,
    ...(httpsUrl === undefined ? {} : { httpsUrl }),
    adminToken: settings.adminToken,
    totpPeriodS: settings.totpPeriodS,
    accounts: accounts.map((a) => ({ ...a })),
    faults: () => state.faults.specs(),
    setFaults: (specs) => state.setFaults(specs),
    acknowledgeToday: (ids) => { for (const id of ids ?? accounts.map((a) => a.id)) state.acknowledge(id); },
    outbox: () => state.outbox.list(),
    events: () => state.events.list(),
    reset: () => state.reset(),
    close: () => {
      clearInterval(sweeper);
      closing ??= closeAll();
      return closing;
    },
  };
}
