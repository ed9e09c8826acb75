/**
 * Starts the embedded demo portal for configs whose portals say `baseUrl: "demo"`, and
 * hands its generated credentials to the journeys as env: references, exactly as a
 * real portal's secrets would arrive.
 */
import type { ProbeConfig } from '../config/schema.ts';
import { demoEnvName } from '../config/demo.config.ts';
import { startDemoPortal, type DemoPortal } from '../demo-portal/index.ts';
import { HarnessError } from '../core/errors.ts';

export interface EmbeddedDemo {
  portal: DemoPortal;
  baseUrl: string;
  faults: string[];
  /** Secret values by env var name, for secret resolution in this process. */
  secrets: Record<string, string>;
  /** The same, passed to the Playwright runner's environment. */
  env: Record<string, string>;
}

export async function startEmbeddedDemo(config: ProbeConfig, faults: string[]): Promise<EmbeddedDemo> {
  let portal: DemoPortal;
  try {
    portal = await startDemoPortal({
      faults, https: config.demo.https, otpBoxes: config.demo.otpBoxes,
      ...(config.demo.idleTimeout !== undefined ? { idleTimeoutMs: config.demo.idleTimeout } : {}),
      ...(config.demo.absoluteTimeout !== undefined ? { absoluteTimeoutMs: config.demo.absoluteTimeout } : {}),
      ...(config.demo.activityWindow !== undefined ? { spaActivityWindowMs: config.demo.activityWindow } : {}),
      ...(config.demo.refreshEvery !== undefined ? { spaRefreshEveryMs: config.demo.refreshEvery } : {}),
      ...(config.demo.certDays !== undefined ? { certDays: config.demo.certDays } : {}),
      totpDigits: config.demo.totpDigits,
    });
  } catch (e) {
    throw new HarnessError('DEMO_PORTAL', `The embedded demo portal did not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const secrets: Record<string, string> = {};
  for (const a of portal.accounts) {
    secrets[demoEnvName(a.id, 'PASSWORD')] = a.password;
    secrets[demoEnvName(a.id, 'TOTP')] = a.totpSeed;
  }
  const baseUrl = config.demo.https && portal.httpsUrl ? portal.httpsUrl : portal.url;
  return { portal, baseUrl, faults, secrets, env: secrets };
}
