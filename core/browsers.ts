/**
 * Browser provisioning: find a usable executable for each browser portal-probe knows,
 * in a fixed order — Playwright's own managed build, an explicit path from the
 * environment, then the system's install — and say why when none is found.
 * Air-gapped hospital networks often cannot download Playwright's builds, so system
 * browsers are a first-class source, not a workaround.
 */
import { existsSync, accessSync, constants } from 'node:fs';
import { chromium, firefox, webkit, type LaunchOptions } from '@playwright/test';
import type { BrowserName } from '../config/schema.ts';

export type Engine = 'chromium' | 'firefox' | 'webkit';
export type BrowserSource = 'playwright' | 'env' | 'system';

export interface BrowserAvailable {
  name: BrowserName;
  engine: Engine;
  available: true;
  source: BrowserSource;
  executablePath: string;
  /** Everything the Playwright project needs to launch it (channel, path, flags). */
  launch: { channel?: string; launchOptions: LaunchOptions };
}
export interface BrowserMissing { name: BrowserName; engine: Engine; available: false; reason: string }
export type BrowserStatus = BrowserAvailable | BrowserMissing;

export const ENGINE_OF: Record<BrowserName, Engine> = {
  chromium: 'chromium', chrome: 'chromium', edge: 'chromium', firefox: 'firefox', webkit: 'webkit',
};

/** Environment variables that point at an explicit executable, per browser. */
export const PATH_ENV: Record<BrowserName, string> = {
  chromium: 'PORTAL_PROBE_CHROMIUM_PATH',
  chrome: 'PORTAL_PROBE_CHROME_PATH',
  edge: 'PORTAL_PROBE_EDGE_PATH',
  firefox: 'PORTAL_PROBE_FIREFOX_PATH',
  webkit: 'PORTAL_PROBE_WEBKIT_PATH',
};

const SYSTEM_PATHS: Record<BrowserName, Partial<Record<NodeJS.Platform, string[]>>> = {
  chromium: { linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'] },
  chrome: {
    linux: ['/opt/google/chrome/chrome', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome'],
    darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    win32: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'],
  },
  edge: {
    linux: ['/opt/microsoft/msedge/msedge', '/usr/bin/microsoft-edge-stable', '/usr/bin/microsoft-edge'],
    darwin: ['/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge'],
    win32: ['C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'],
  },
  firefox: {
    linux: ['/usr/bin/firefox-esr', '/usr/bin/firefox', '/usr/lib/firefox-esr/firefox-esr'],
    darwin: ['/Applications/Firefox.app/Contents/MacOS/firefox'],
    win32: ['C:\\Program Files\\Mozilla Firefox\\firefox.exe'],
  },
  // WebKit is Playwright's own build only: Safari cannot be driven this way.
  webkit: {},
};

/**
 * Flags for Chromium-family browsers. Background networking off: on closed networks
 * Chromium otherwise keeps trying to reach Google's hosts. --no-sandbox only as root,
 * where Chromium refuses to start with its sandbox.
 */
export function chromiumArgs(): string[] {
  const args = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return args;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function managedPath(name: BrowserName): string | undefined {
  // Chrome and Edge are never Playwright-managed builds; they are installed products.
  const type = name === 'chromium' ? chromium : name === 'firefox' ? firefox : name === 'webkit' ? webkit : undefined;
  if (!type) return undefined;
  try {
    const p = type.executablePath();
    return p && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Firefox preferences for the allow-list guard (fixtures/egress-guard.ts), a per-context
 * SOCKS proxy: Firefox must send loopback traffic through it too (by default it never
 * proxies localhost, so a look-alike on a loopback name would be reached directly), and
 * must leave name resolution to the proxy, so the guard sees the host name it checks.
 */
export const FIREFOX_PREFS = {
  'network.proxy.allow_hijacking_localhost': true,
  'network.proxy.socks_remote_dns': true,
  'network.proxy.socks5_remote_dns': true,
};

function launchFor(name: BrowserName, source: BrowserSource, executablePath: string): BrowserAvailable['launch'] {
  const engine = ENGINE_OF[name];
  if (engine === 'chromium') return { launchOptions: { executablePath, args: chromiumArgs() } };
  // A stock Firefox (not Playwright's patched build) is driven over WebDriver BiDi.
  if (engine === 'firefox') {
    const launchOptions = { executablePath, firefoxUserPrefs: FIREFOX_PREFS };
    return source === 'playwright' ? { launchOptions } : { channel: 'moz-firefox', launchOptions };
  }
  return { launchOptions: { executablePath } };
}

export function findBrowser(name: BrowserName, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserStatus {
  const engine = ENGINE_OF[name];
  const tried: string[] = [];
  const managed = managedPath(name);
  if (managed) return { name, engine, available: true, source: 'playwright', executablePath: managed, launch: launchFor(name, 'playwright', managed) };
  if (name === 'chromium' || name === 'firefox' || name === 'webkit') tried.push('no Playwright-managed build (npx playwright install ' + name + ')');

  const envVar = PATH_ENV[name];
  const explicit = env[envVar];
  if (explicit) {
    if (isExecutable(explicit)) return { name, engine, available: true, source: 'env', executablePath: explicit, launch: launchFor(name, 'env', explicit) };
    tried.push(`${envVar}=${explicit} is not an executable file`);
  }

  for (const p of SYSTEM_PATHS[name][platform] ?? []) {
    if (isExecutable(p)) return { name, engine, available: true, source: 'system', executablePath: p, launch: launchFor(name, 'system', p) };
  }
  const sys = SYSTEM_PATHS[name][platform] ?? [];
  tried.push(sys.length ? `not installed at ${sys.join(', ')}` : `no system install is usable on ${platform}`);
  return { name, engine, available: false, reason: `${displayName(name)} not found: ${tried.join('; ')}` };
}

export function findBrowsers(names: readonly BrowserName[], env: NodeJS.ProcessEnv = process.env): BrowserStatus[] {
  return names.map((n) => findBrowser(n, env));
}

export function displayName(name: BrowserName): string {
  return { chromium: 'Chromium', chrome: 'Google Chrome', edge: 'Microsoft Edge', firefox: 'Firefox', webkit: 'WebKit' }[name];
}

export function describeBrowsers(list: readonly BrowserStatus[]): string[] {
  return list.map((b) => (b.available
    ? `  ✓ ${displayName(b.name).padEnd(14)} ${b.executablePath} (${b.source === 'playwright' ? 'Playwright build' : b.source === 'env' ? 'from ' + PATH_ENV[b.name] : 'system install'})`
    : `  ✗ ${displayName(b.name).padEnd(14)} ${b.reason}`));
}
