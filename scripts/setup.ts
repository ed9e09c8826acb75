/**
 * `portal-probe setup`: install the browsers this machine can have. Playwright's own
 * builds first (works wherever the download hosts are reachable); where they are not,
 * Debian's chromium and firefox-esr through apt-get when running as root.
 */
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findBrowsers, describeBrowsers, type BrowserStatus } from '../core/browsers.ts';
import { browserNames } from '../config/schema.ts';
import { EXIT } from '../core/errors.ts';

const required = ['chromium', 'firefox'] as const;

function missingRequired(list: readonly BrowserStatus[]): string[] {
  return required.filter((n) => !list.find((b) => b.name === n)?.available);
}

function run(cmd: string, args: string[], timeoutMs: number): boolean {
  const r = spawnSync(cmd, args, { stdio: 'inherit', timeout: timeoutMs });
  return r.status === 0;
}

export async function setupCommand(argv: string[]): Promise<number> {
  const ifNeeded = argv.includes('--if-needed');
  const quiet = ifNeeded;
  let list = findBrowsers(browserNames);
  let missing = missingRequired(list);
  if (missing.length > 0 || !ifNeeded) {
    if (missing.length > 0) console.log(`portal-probe: installing browsers (${missing.join(', ')} missing)…`);
    // Playwright's download fails within seconds on a closed network; that is expected.
    // Resolved, not a path under the current folder: installed as a dependency, @playwright/test sits beside portal-probe.
    const pwCli = createRequire(import.meta.url).resolve('@playwright/test/cli');
    const pwOk = run(process.execPath, [pwCli, 'install', ...(missing.length ? missing : required)], 10 * 60_000);
    list = findBrowsers(browserNames);
    missing = missingRequired(list);
    if (!pwOk && missing.length > 0) {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      if (isRoot && existsSync('/usr/bin/apt-get')) {
        console.log('portal-probe: Playwright browser download unavailable; installing Debian chromium and firefox-esr with apt-get…');
        const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
        spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env, timeout: 10 * 60_000 });
        spawnSync('apt-get', ['install', '-y', '-q', 'chromium', 'firefox-esr'], { stdio: 'inherit', env, timeout: 20 * 60_000 });
        list = findBrowsers(browserNames);
        missing = missingRequired(list);
      } else {
        console.log('portal-probe: cannot download browsers and not root with apt-get: install Chromium and Firefox yourself, or point PORTAL_PROBE_CHROMIUM_PATH / PORTAL_PROBE_FIREFOX_PATH at them.');
      }
    }
  }
  if (!quiet || missing.length > 0) {
    console.log('Browsers on this machine:');
    for (const line of describeBrowsers(list)) console.log(line);
  }
  if (missing.length > 0) {
    console.error(`portal-probe: setup could not provide ${missing.join(' and ')}; see the reasons above.`);
    return EXIT.harness;
  }
  return EXIT.ok;
}
