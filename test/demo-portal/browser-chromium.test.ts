/** Browser-only demo-portal behaviours in Chromium (Debian chromium, one instance for the file). */
import { chromium } from '@playwright/test';
import { browserSuite } from './browser-suite.ts';

browserSuite('chromium', () =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  }),
);
