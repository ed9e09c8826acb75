/**
 * Login journeys: one test per portal × journey from the run plan; Playwright runs each
 * in every browser × viewport project. The flow itself lives in fixtures/.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from '../fixtures/probe.ts';
import { runLoginJourney } from '../fixtures/login-journey.ts';
import type { ScriptJourney } from '../fixtures/define-journey.ts';
import { readPlan } from '../core/plan.ts';

const plan = readPlan();
const wanted = (name: string): boolean => plan.journeyFilter.length === 0 || plan.journeyFilter.includes(name);

for (const portal of plan.config.portals) {
  for (const journey of portal.journeys) {
    if (!wanted(journey.name) || (journey.kind !== 'login' && journey.kind !== 'script')) continue;
    if (!plan.kinds.includes(journey.kind)) continue;
    test(`${portal.name} › ${journey.name}`, { tag: [`@${portal.name}`, `@${journey.kind}`] }, async ({ probe }) => {
      const session = await probe.begin(portal.name, journey.name);
      if (journey.kind === 'login') {
        await runLoginJourney(session, journey.steps, { thinkTimeMs: journey.thinkTimeMs });
      } else {
        const file = path.resolve(plan.baseDir, journey.file);
        const mod = (await import(pathToFileURL(file).href)) as { default?: ScriptJourney };
        if (!mod.default) throw new Error(`Journey module ${journey.file} has no default export (use defineJourney).`);
        session.declaredSteps = mod.default.steps ?? [];
        await mod.default.run(session);
      }
    });
  }
}
