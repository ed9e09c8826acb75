/**
 * Builds Playwright projects (browser × viewport) from the run plan that
 * `portal-probe run` wrote. Not meant to be used by `playwright test` on its own.
 */
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import path from 'node:path';
import { plannedJourneys, readPlan, runsIn } from './core/plan.ts';

const plan = readPlan();
const c = plan.config;

const planned = plannedJourneys(plan);
// Each project runs the journeys the plan gives its cell (core/plan.ts runsIn: checks once, in
// the primary cell, unless marked allBrowsers; a shard's share of the rest), selected by tag.
const tagsIn = (cell: string): string[] => planned.filter((j) => runsIn(plan, j, cell)).map((j) => j.tag);
const projects: PlaywrightTestConfig['projects'] = plan.runnable.filter((cell) => tagsIn(cell.name).length > 0).map((cell) => ({
  name: cell.name,
  metadata: { browser: cell.browser, engine: cell.engine, viewport: cell.viewport },
  grep: new RegExp(`(?:${tagsIn(cell.name).join('|')})(?![\\w-])`),
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
