/**
 * The bare login (../bare-journey.ts) as a plain Playwright Test suite: Playwright's own
 * runner, worker and `page` fixture, and nothing of portal-probe's (no plan, no probe
 * fixture, no evidence watcher, no reporters). bench/overhead.ts runs it to show how much
 * of portal-probe's overhead is the test runner's.
 *
 *   BARE_URL=… BARE_ACCOUNTS=FILE BARE_LOGINS=N BARE_OUT=DIR npx playwright test -c bench/bare-test/playwright.config.ts
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT } from '../bare-journey.ts';

export default defineConfig({
  testDir: import.meta.dirname,
  testMatch: /bare\.spec\.ts$/,
  outputDir: process.env.BARE_OUT ?? 'test-results',
  fullyParallel: true,
  workers: 1,
  reporter: 'null',
  use: {
    screenshot: 'off', video: 'off', trace: 'off', viewport: VIEWPORT,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
});
