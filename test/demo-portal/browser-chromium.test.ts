/** Browser-only demo-portal behaviours in Chromium (found as the product finds it, one instance for the file). */
import { launcher } from '../helpers/browsers.ts';
import { browserSuite } from './browser-suite.ts';

browserSuite('chromium', launcher('chromium').launch);
