/**
 * Login journeys: one test per portal × journey from the run plan; Playwright runs each
 * in every browser × viewport project. The flow itself lives in fixtures/ (playJourney).
 */
import { createRequire } from 'node:module';
import { test } from '../fixtures/probe.ts';
import { playJourney } from '../fixtures/play-journey.ts';
import { plannedJourneys, readPlan } from '../core/plan.ts';
import { journeyAnnotation } from '../core/attachment.ts';

const plan = readPlan();
// Playwright's loader hooks this `require`: it compiles a CommonJS project's TypeScript journey.
const requireModule = createRequire(import.meta.url);

for (const { portal, journey, tag } of plannedJourneys(plan)) {
  if (journey.kind !== 'login' && journey.kind !== 'script') continue;
  const annotation = journeyAnnotation({ portal: portal.name, journey: journey.name });
  test(`${portal.name} › ${journey.name}`, { tag: [`@${portal.name}`, `@${journey.kind}`, tag], annotation }, async ({ probe, browser }, testInfo) => {
    const session = await probe.begin(portal.name, journey.name);
    await playJourney(session, { plan, portal, journey, browser, projectName: testInfo.project.name, requireModule });
  });
}
