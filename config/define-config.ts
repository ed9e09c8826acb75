/**
 * What a `portal-probe.config.ts` imports. `defineConfig` does nothing at run time —
 * like Playwright's, it exists so an editor can type-check and complete the config
 * while it is written. The real validation happens at start-up (config/validate.ts),
 * because a config may equally be plain JSON with no types at all.
 *
 *   import { defineConfig, env } from 'portal-probe';
 *   export default defineConfig({
 *     portals: [{ name: 'acme', environment: 'production', baseUrl: 'https://portal.acme.test',
 *       accounts: [{ id: 'front-desk', role: 'provider', username: 'probe01', password: env('ACME_PW') }],
 *       journeys: [ … ] }],
 *   });
 */
import type { ProbeConfigInput } from './schema.ts';

export type {
  AccountConfig,
  BrowserName,
  JourneyConfig,
  JourneyStep,
  LocatorSpec,
  PortalConfig,
  ProbeConfig,
  ProbeConfigInput,
  ViewportConfig,
} from './schema.ts';
export { browserNames } from './schema.ts';

/** A config for a portal-probe run; returns its argument unchanged. */
export function defineConfig(c: ProbeConfigInput): ProbeConfigInput {
  return c;
}

/** An `env:NAME` reference; resolved at start-up, never stored in the file. */
export type EnvSecretRef = `env:${string}`;
/** A `file:PATH` reference (relative to the config file), e.g. a mounted Docker/K8s secret. */
export type FileSecretRef = `file:${string}`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `env('PORTAL_PW')` → `'env:PORTAL_PW'`. A helper rather than a string so a name
 * with a typo such as a dash or a `$` fails where it is written, with the config
 * file in the stack trace, instead of as a less obvious schema message.
 */
export function env(name: string): EnvSecretRef {
  if (!ENV_NAME.test(name)) {
    throw new TypeError(`env(${JSON.stringify(name)}): an environment variable name uses letters, digits and "_" and does not start with a digit.`);
  }
  return `env:${name}`;
}

/** `file('secrets/portal-pw')` → `'file:secrets/portal-pw'`; one trailing newline in the file is ignored. */
export function file(path: string): FileSecretRef {
  if (path.length === 0) throw new TypeError('file(""): a secret file path must not be empty.');
  return `file:${path}`;
}
