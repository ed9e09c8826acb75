/**
 * Browsers for tests that drive Playwright directly, found the way the product finds them
 * (core/browsers.ts): Playwright's build, an explicit path, or the system's — never a
 * hard-coded path.
 */
import { chromium, firefox, webkit, type Browser } from '@playwright/test';
import { findBrowser } from '../../core/browsers.ts';

export function launcher(name: 'chromium' | 'firefox'): { skip: string | false; launch: () => Promise<Browser> } {
  const found = findBrowser(name);
  if (!found.available) return { skip: `${name} is not available: ${found.reason}`, launch: () => Promise.reject(new Error(found.reason)) };
  const type = { chromium, firefox, webkit }[found.engine];
  return { skip: false, launch: () => type.launch({ ...(found.launch.channel ? { channel: found.launch.channel } : {}), ...found.launch.launchOptions }) };
}

/** The executable the product would use for `name` (benches launch it themselves). */
export function executableOf(name: 'chromium' | 'firefox'): string {
  const found = findBrowser(name);
  if (!found.available) throw new Error(`${name} is not available: ${found.reason}`);
  return found.executablePath;
}
