/**
 * Configs that point portal-probe at a demo portal the test started itself — the same
 * path a real portal takes: an http(s) URL and env: secret references.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import type { DemoPortal } from '../../demo-portal/index.ts';
import type { JourneyStep, ProbeConfigInput } from '../../config/schema.ts';
import { demoEnvName, embeddedLoginSteps, providerLoginSteps, spaLoginSteps } from '../../config/demo.config.ts';
import { writeJson } from './cli.ts';

export interface ProbeSetup { configFile: string; outputDir: string; env: Record<string, string> }

export function secretEnv(portal: DemoPortal, ids: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const a of portal.accounts.filter((x) => ids.includes(x.id))) {
    env[demoEnvName(a.id, 'PASSWORD')] = a.password;
    env[demoEnvName(a.id, 'TOTP')] = a.totpSeed;
  }
  return env;
}

type PortalInput = ProbeConfigInput['portals'][number];

/** A portal entry for a demo portal: physician accounts (a pool when several) and `journeys` provider logins. */
export function providerPortal(portal: DemoPortal, o: { accountIds: string[]; journeys?: number; name?: string; baseUrl?: string; thinkTimeMs?: number }): PortalInput {
  const ids = o.accountIds;
  const count = o.journeys ?? 1;
  return {
    name: o.name ?? 'test-portal', environment: 'test', baseUrl: o.baseUrl ?? portal.url,
    totp: { acceptedWindow: 1, minRemainingMs: 3000, periodSeconds: portal.totpPeriodS },
    accounts: ids.map((id) => ({
      id, role: 'physician', username: id, ...(ids.length > 1 ? { pool: 'doctors' } : {}),
      password: `env:${demoEnvName(id, 'PASSWORD')}`, totpSeed: `env:${demoEnvName(id, 'TOTP')}`,
    })),
    journeys: Array.from({ length: count }, (_, i) => ({
      kind: 'login' as const, name: count === 1 ? 'physician login' : `physician login ${i + 1}`,
      use: ids.length === 1 ? { account: ids[0] ?? '' } : { pool: 'doctors' }, steps: providerLoginSteps('username', 'Dashboard'),
      ...(o.thinkTimeMs ? { thinkTimeMs: o.thinkTimeMs } : {}),
    })),
  };
}

export function writeProviderConfig(dir: string, portal: DemoPortal, o: {
  accountIds?: string[]; journeys?: number; browsers?: string[]; viewports?: ProbeConfigInput['viewports'];
  budgets?: Record<string, number>; stepMs?: number; journeyMs?: number; workers?: number; name?: string; baseUrl?: string; thinkTimeMs?: number;
}): ProbeSetup {
  const ids = o.accountIds ?? ['dr.rivera'];
  const setup = writeConfig(dir, [providerPortal(portal, { ...o, accountIds: ids })], secretEnv(portal, ids), { workers: 1, ...o });
  // One config file per directory, at the path tests have always found it.
  const configFile = path.join(dir, 'portal-probe.config.json');
  renameSync(setup.configFile, configFile);
  return { ...setup, configFile };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Physician accounts with random secrets, so each test owns its TOTP steps and can plant canaries. */
export function physicians(prefix: string, n: number, password?: (i: number) => string): import('../../demo-portal/index.ts').DemoAccountSeed[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`, kind: 'provider' as const, role: 'physician' as const, username: `${prefix}${i + 1}`,
    password: password ? password(i) : `Pw-${Math.random().toString(36).slice(2)}-X9!`,
    totpSeed: Array.from({ length: 32 }, () => B32[Math.floor(Math.random() * 32)]).join(''),
    displayName: `Dr. Test ${i + 1}`,
  }));
}

export type Flavour = 'classic' | 'spa' | 'embedded';
/** The journey of each demo flavour: the server-rendered provider login, the single-page one, and that one inside an iframe. */
export const FLAVOUR_JOURNEY: Record<Flavour, string> = { classic: 'classic login', spa: 'spa login', embedded: 'embedded login' };
const FLAVOUR_STEPS: Record<Flavour, () => JourneyStep[]> = {
  classic: () => providerLoginSteps('username', 'Dashboard'), spa: () => spaLoginSteps('Dashboard'), embedded: () => embeddedLoginSteps('Dashboard'),
};

/**
 * A portal entry with one login journey per flavour of the demo portal, each on its own
 * accounts (a pool when several), so both flavours run as journeys of one CLI run.
 */
export function flavoursPortal(portal: DemoPortal, o: { accounts: Partial<Record<Flavour, string[]>>; name?: string; digits?: number; stepsFor?: (f: Flavour) => JourneyStep[] }): PortalInput {
  const flavours = Object.keys(o.accounts) as Flavour[];
  return {
    name: o.name ?? 'test-portal', environment: 'test', baseUrl: portal.url,
    totp: { acceptedWindow: 1, minRemainingMs: 3000, periodSeconds: portal.totpPeriodS, ...(o.digits ? { digits: o.digits } : {}) },
    accounts: flavours.flatMap((f) => (o.accounts[f] ?? []).map((id) => ({
      id, role: 'physician', username: id, pool: f,
      password: `env:${demoEnvName(id, 'PASSWORD')}`, totpSeed: `env:${demoEnvName(id, 'TOTP')}`,
    }))),
    journeys: flavours.map((f) => ({
      kind: 'login' as const, name: FLAVOUR_JOURNEY[f], use: { pool: f },
      steps: o.stepsFor ? o.stepsFor(f) : FLAVOUR_STEPS[f](),
    })),
  };
}

/** A config file for `portals` with the run settings tests vary. */
export function writeConfig(dir: string, portals: PortalInput[], env: Record<string, string>, o: {
  browsers?: string[]; viewports?: ProbeConfigInput['viewports']; budgets?: Record<string, number>; stepMs?: number; journeyMs?: number; workers?: number;
} = {}): ProbeSetup {
  const config: ProbeConfigInput = {
    portals,
    browsers: (o.browsers ?? ['chromium']) as ProbeConfigInput['browsers'],
    viewports: o.viewports ?? ['desktop'],
    budgets: o.budgets ?? {},
    timeouts: { stepMs: o.stepMs ?? 4000, journeyMs: o.journeyMs ?? 90_000 },
    workers: o.workers ?? 2,
    outputDir: path.join(dir, 'out'),
  };
  const configFile = path.join(dir, `portal-probe-${Math.random().toString(36).slice(2, 8)}.config.json`);
  writeJson(configFile, config);
  return { configFile, outputDir: path.join(dir, 'out'), env };
}
