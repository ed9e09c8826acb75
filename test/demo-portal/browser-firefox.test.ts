/** Browser-only demo-portal behaviours in Firefox (Debian firefox-esr over WebDriver BiDi, one instance for the file). */
import { firefox } from '@playwright/test';
import { browserSuite } from './browser-suite.ts';

browserSuite('gecko', () => firefox.launch({ channel: 'moz-firefox', executablePath: '/usr/bin/firefox-esr' }));
