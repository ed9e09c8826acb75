/**
 * Session and security checks: one test per configured check journey. Server policy
 * rarely differs by browser, so a check runs in the first project of the matrix unless
 * it is marked allBrowsers (the @primary-only tag is filtered out elsewhere). The checks
 * themselves live in fixtures/checks/ (playJourney).
 */
import { createRequire } from 'node:module';
import { test } from '../fixtures/probe.ts';
import { plannedJourneys, readPlan } from '../core/plan.ts';
import { journeyAnnotation } from '../core/attachment.ts';
import { isCheck } from '../core/checks-catalog.ts';
import { journeyTimeoutMs, playJourney } from '../fixtures/play-journey.ts';

const plan = readPlan();
const requireModule = createRequire(import.meta.url);
for (const { portal, journey, tag } of plannedJourneys(plan)) {
  if (!isCheck(journey.kind)) continue;
  const tags = ['@check', `@${journey.kind}`, tag];
  const annotation = journeyAnnotation({ portal: portal.name, journey: journey.name });
  test(`${portal.name} › ${journey.name}`, { tag: tags, annotation }, async ({ probe, browser }, testInfo) => {
    // Long checks wait by design: their own duration on top of the journey timeout.
    testInfo.setTimeout(journeyTimeoutMs(plan, journey));
    const session = await probe.begin(portal.name, journey.name);
    await playJourney(session, { plan, portal, journey, browser, projectName: testInfo.project.name, requireModule });
  });
}
