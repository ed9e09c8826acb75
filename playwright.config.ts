/**
 * Builds Playwright projects (browser × viewport) from the run plan that
 * `portal-probe run` wrote. Not meant to be used by `playwright test` on its own.
 */
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import path from 'node:path';
import { PRIMARY_ONLY_TAG, readPlan } from './core/plan.ts';

const plan = readPlan();
const c = plan.config;

const projects: PlaywrightTestConfig['projects'] = plan.runnable.map((cell) => ({
  name: cell.name,
  metadata: { browser: cell.browser, engine: cell.engine, viewport: cell.viewport },
  // Session and security checks run once (in the primary project) unless marked allBrowsers.
  ...(cell.name === plan.primaryProject ? {} : { grepInvert: new RegExp(PRIMARY_ONLY_TAG) }),
  use: {
    browserName: cell.engine,
    ...(cell.launch.channel ? { channel: cell.launch.channel } : {}),
    launchOptions: cell.launch.launchOptions,
    ...cell.context,
  },
}));

export default defineConfig({
  testDir: path.join(import.meta.dirname, 'checks'),
  testMatch: /.*\.spec\.ts$/,
  outputDir: path.join(plan.runDir, 'artifacts'),
  fullyParallel: true,
  forbidOnly: true,
  workers: c.workers,
  retries: c.retries,
  timeout: c.timeouts.journeyMs,
  // Playwright's own screenshot/trace options would capture unmasked secrets; the
  // probe fixture takes masked screenshots itself and traces are opt-in.
  use: {
    actionTimeout: c.timeouts.stepMs,
    navigationTimeout: c.timeouts.stepMs,
    screenshot: 'off',
    video: 'off',
    trace: c.artifacts.trace === 'on-failure' ? 'retain-on-failure' : c.artifacts.trace,
  },
  reporter: [
    [path.join(import.meta.dirname, 'reporters', 'results-reporter.ts'), { runDir: plan.runDir }],
    ['html', { outputFolder: path.join(plan.runDir, 'html'), open: 'never' }],
    ['junit', { outputFile: path.join(plan.runDir, 'junit.xml') }],
  ],
  projects,
});
