/** Browser-only demo-portal behaviours in Firefox (found as the product finds it, over WebDriver BiDi; one instance for the file). */
import { launcher } from '../helpers/browsers.ts';
import { browserSuite } from './browser-suite.ts';

browserSuite('gecko', launcher('firefox').launch);
