/**
 * portal-probe's package entry: what a user's config file and TypeScript journeys import
 * once portal-probe is a dependency of their repository.
 *
 *   // portal-probe.config.ts
 *   import { defineConfig, env, file } from 'portal-probe';
 *   // journeys/eligibility.journey.ts
 *   import { defineJourney } from 'portal-probe';
 *
 * Only the config helpers are values here: loading a config file must not load
 * Playwright. fixtures/define-journey.ts also re-exports the login interpreter and the
 * locator helpers, which do (they import @playwright/test), so only its types come from
 * there and `defineJourney` — an identity function, as there — is defined below.
 */
import type { ScriptJourney } from './fixtures/define-journey.ts';

// Everything a config file needs, values and types alike; config/define-config.ts loads no Playwright.
export * from './config/define-config.ts';
export type { ScriptJourney } from './fixtures/define-journey.ts';
export type { ProbeSession, ResolvedAccount } from './fixtures/probe-session.ts';

/** A TypeScript journey (the `file` of a `kind: 'script'` journey); returns its argument unchanged. */
export function defineJourney(j: ScriptJourney): ScriptJourney {
  return j;
}
