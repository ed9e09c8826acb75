/**
 * A config with every session and security check, against a demo portal the test
 * started over HTTPS with timeouts of seconds rather than minutes.
 */
import path from 'node:path';
import type { DemoPortal } from '../../demo-portal/index.ts';
import type { ProbeConfigInput } from '../../config/schema.ts';
import { demoEnvName, providerLoginSteps, spaLoginSteps } from '../../config/demo.config.ts';
import { writeJson } from './cli.ts';
import { secretEnv, type ProbeSetup } from './portal-config.ts';

/**
 * The idle timeout is long enough that the idle-timeout fault (half of it) never ends a
 * half-finished sign-in on a loaded machine (a pause of a few seconds between password and
 * code is ordinary), and short enough to keep the verify check around 15 s. The absolute
 * limit, and the absolute-timeout fault (12 s), both leave the idle check's "still alive
 * after 7 s idle" session room to live.
 */
export const TIMEOUTS = { idleMs: 10_000, idleToleranceMs: 3000, absoluteMs: 20_000, absoluteToleranceMs: 3000, lockoutMs: 15_000 };

type PortalInput = ProbeConfigInput['portals'][number];
type Journeys = NonNullable<PortalInput['journeys']>;
export interface SecurityPortalOptions { pool: string[]; lockoutAccount: string; enumAccount: string; environment?: 'test' | 'production'; extra?: Journeys; only?: string[]; flavour?: 'classic' | 'spa'; lockoutUnlock?: boolean; name?: string }

/**
 * A portal entry with the physician login and every check, for a demo portal the test
 * started. `flavour: 'spa'` signs in through the demo portal's single-page flavour and
 * probes its API (its pages are one shell for everyone); the checks are the same.
 */
export function securityPortal(portal: DemoPortal, o: SecurityPortalOptions): PortalInput {
  const ids = [...o.pool, o.lockoutAccount, o.enumAccount];
  const spa = o.flavour === 'spa';
  const base = { login: 'physician login', probePath: spa ? '/api/app/me' : '/dashboard' };
  const checks = [
    { kind: 'idle-expiry', name: 'idle expiry', use: { pool: 'doctors' }, ...base, expected: TIMEOUTS.idleMs, tolerance: TIMEOUTS.idleToleranceMs },
    { kind: 'absolute-expiry', name: 'absolute expiry', use: { pool: 'doctors' }, ...base, expected: TIMEOUTS.absoluteMs, tolerance: TIMEOUTS.absoluteToleranceMs, keepAliveEvery: 1000 },
    { kind: 'logout-ends-session', name: 'logout', use: { pool: 'doctors' }, ...base },
    { kind: 'session-rotation', name: 'rotation', use: { pool: 'doctors' }, ...base },
    { kind: 'cookie-policy', name: 'cookies', use: { pool: 'doctors' }, ...base },
    { kind: 'cache-policy', name: 'cache', use: { pool: 'doctors' }, ...base },
    { kind: 'totp-single-use', name: 'totp single use', use: { pool: 'doctors' }, ...base },
    { kind: 'generic-login-errors', name: 'generic errors', use: { account: o.enumAccount }, ...base },
    { kind: 'lockout', name: 'lockout', use: { account: o.lockoutAccount }, ...base, threshold: 5, duration: TIMEOUTS.lockoutMs, verifyUnlock: o.lockoutUnlock ?? true },
    { kind: 'transport', name: 'transport', use: { pool: 'doctors' }, ...base },
  ].filter((c) => !o.only || o.only.includes(c.kind));
  return {
    name: o.name ?? 'secure-portal', environment: o.environment ?? 'test', baseUrl: portal.httpsUrl ?? portal.url,
    totp: { acceptedWindow: 1, minRemainingMs: 3000, periodSeconds: portal.totpPeriodS },
    accounts: ids.map((id) => ({
      id, role: 'physician', username: id, ...(o.pool.includes(id) ? { pool: 'doctors' } : {}),
      password: `env:${demoEnvName(id, 'PASSWORD')}`, totpSeed: `env:${demoEnvName(id, 'TOTP')}`,
    })),
    journeys: [
      { kind: 'login', name: 'physician login', use: { pool: 'doctors' }, steps: spa ? spaLoginSteps('Dashboard') : providerLoginSteps('username', 'Dashboard') },
      ...(checks as Journeys),
      ...(o.extra ?? []),
    ],
  };
}

/** A run config for security portals: Chromium on desktop, short step timeouts, the demo portals' self-signed certificates accepted. */
export function writeSecurityRun(dir: string, portals: PortalInput[], env: Record<string, string>, o: { workers?: number; budgets?: Record<string, number> } = {}): ProbeSetup {
  const config: ProbeConfigInput = {
    portals,
    browsers: ['chromium'],
    viewports: ['desktop'],
    timeouts: { stepMs: 10_000, journeyMs: 90_000 },
    workers: o.workers ?? 3,
    ...(o.budgets ? { budgets: o.budgets } : {}),
    ignoreHTTPSErrors: true,
    outputDir: path.join(dir, 'out'),
  };
  const configFile = path.join(dir, 'security.config.json');
  writeJson(configFile, config);
  return { configFile, outputDir: path.join(dir, 'out'), env };
}

export function writeSecurityConfig(dir: string, portal: DemoPortal, o: SecurityPortalOptions & { budgets?: Record<string, number> }): ProbeSetup {
  const ids = [...o.pool, o.lockoutAccount, o.enumAccount];
  return writeSecurityRun(dir, [securityPortal(portal, o)], secretEnv(portal, ids), o.budgets ? { budgets: o.budgets } : {});
}
