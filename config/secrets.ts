/**
 * Secret references (`env:NAME`, `file:PATH`) are resolved once, at start-up, before
 * any browser opens: a missing password should stop the run with a list of what to
 * set, not surface an hour later as a selector timeout on the login page.
 *
 * Nothing here ever puts a secret value into an error message — only the reference
 * and the config path that uses it — because error messages end up in logs, Slack
 * and CI output.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../core/errors.ts';
import { secretRef, type ProbeConfig } from './schema.ts';

export interface SecretStore {
  /** The resolved value of a reference; throws if it was not resolved at start-up. */
  get(ref: string): string;
  /** Every resolved secret value, for redaction (core/redact.ts). */
  values(): string[];
}

export interface ResolveSecretsOptions {
  env: NodeJS.ProcessEnv;
  /** Directory that `file:` references are relative to (the config file's directory). */
  baseDir: string;
  /**
   * Values for the embedded demo portal, keyed by reference (`env:PP_DEMO_X`) or, like
   * an environment, by bare name (`PP_DEMO_X`). They win over `env` because the demo
   * portal generated them: a stale variable left in a shell would only break the demo.
   */
  demoSecrets?: Record<string, string>;
  /** Also the monitor's Slack webhook URLs (only `portal-probe monitor` needs them). */
  monitor?: boolean;
}

type Resolution = { value: string } | { problem: string };

const BASE32 = /^[A-Z2-7]+=*$/;

/** Seeds are often copied with spaces ("JBSW Y3DP …") or in lower case; both are fine. */
export function normalizeTotpSeed(seed: string): string {
  return seed.replace(/\s+/g, '').toUpperCase();
}

function stripOneTrailingNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

function resolveRef(ref: string, o: ResolveSecretsOptions): Resolution {
  const injected = o.demoSecrets?.[ref] ?? (ref.startsWith('env:') ? o.demoSecrets?.[ref.slice(4)] : undefined);
  if (injected !== undefined && injected !== '') return { value: injected };
  if (ref.startsWith('env:')) {
    const value = o.env[ref.slice(4)];
    if (value === undefined) return { problem: `${ref} is not set` };
    // An empty variable is almost always a CI secret that was not mapped into the job.
    if (value === '') return { problem: `${ref} is set but empty` };
    return { value };
  }
  const file = path.resolve(o.baseDir, ref.slice('file:'.length));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    // The OS reason (ENOENT, EACCES, EISDIR) is what tells the person what to fix.
    return { problem: `${ref} cannot be read (${file}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const value = stripOneTrailingNewline(text);
  if (value === '') return { problem: `${ref} is an empty file (${file})` };
  return { value };
}

interface SecretUse {
  where: string;
  ref: string;
  isTotpSeed: boolean;
}

/** Every place the config holds a reference, with the path used in error messages. */
function secretUses(config: ProbeConfig, monitor: boolean): SecretUse[] {
  const uses: SecretUse[] = [];
  config.portals.forEach((portal, p) => {
    portal.accounts.forEach((account, a) => {
      const at = `portals[${p}].accounts[${a}]`;
      // A user name is usually a plain identifier; only treat it as a reference when it is one.
      if (secretRef.safeParse(account.username).success) uses.push({ where: `${at}.username`, ref: account.username, isTotpSeed: false });
      uses.push({ where: `${at}.password`, ref: account.password, isTotpSeed: false });
      if (account.totpSeed !== undefined) uses.push({ where: `${at}.totpSeed`, ref: account.totpSeed, isTotpSeed: true });
    });
  });
  const proxy = config.proxy;
  if (proxy?.username !== undefined && secretRef.safeParse(proxy.username).success) uses.push({ where: 'proxy.username', ref: proxy.username, isTotpSeed: false });
  if (proxy?.password !== undefined) uses.push({ where: 'proxy.password', ref: proxy.password, isTotpSeed: false });
  if (monitor) config.monitor?.slack?.webhooks.forEach((w, i) => uses.push({ where: `monitor.slack.webhooks[${i}].url`, ref: w.url, isTotpSeed: false }));
  return uses;
}

export function resolveSecrets(config: ProbeConfig, o: ResolveSecretsOptions): SecretStore {
  const byRef = new Map<string, string>();
  const cache = new Map<string, Resolution>();
  const redactable = new Set<string>();
  const problems: string[] = [];

  for (const use of secretUses(config, o.monitor === true)) {
    let resolution = cache.get(use.ref);
    if (resolution === undefined) {
      resolution = resolveRef(use.ref, o);
      cache.set(use.ref, resolution);
    }
    if ('problem' in resolution) {
      problems.push(`${use.where}: ${resolution.problem}`);
      continue;
    }
    redactable.add(resolution.value);
    if (use.isTotpSeed) {
      const seed = normalizeTotpSeed(resolution.value);
      if (!BASE32.test(seed)) {
        problems.push(
          `${use.where}: the value of ${use.ref} is not a base32 TOTP seed (letters A–Z and digits 2–7); ` +
            'check it is the setup key itself, not a one-time code or an otpauth:// URL',
        );
        continue;
      }
      // Stored normalised so the TOTP module gets canonical base32; both forms are masked.
      redactable.add(seed);
      byRef.set(use.ref, seed);
    } else {
      byRef.set(use.ref, resolution.value);
    }
  }

  if (problems.length > 0) {
    throw new HarnessError('SECRET_MISSING', `${problems.length} secret reference(s) could not be resolved; nothing was run.`, {
      details: problems,
    });
  }

  return {
    get(ref) {
      const value = byRef.get(ref);
      if (value === undefined) {
        throw new HarnessError('SECRET_MISSING', `Secret reference ${ref} was not resolved at start-up; only references in the config can be used.`);
      }
      return value;
    },
    values: () => [...redactable],
  };
}
