/**
 * Login journeys: one test per portal × journey from the run plan; Playwright runs each
 * in every browser × viewport project. The flow itself lives in fixtures/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from '../fixtures/probe.ts';
import { runLoginJourney } from '../fixtures/login-journey.ts';
import type { ScriptJourney } from '../fixtures/define-journey.ts';
import { plannedJourneys, readPlan } from '../core/plan.ts';
import { journeyAnnotation } from '../core/attachment.ts';

const plan = readPlan();

/**
 * Whether Node treats a journey file as an ES module: by its extension, else by the
 * nearest package.json's "type" — for .ts files as for .js.
 */
function isModuleFile(file: string): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  if (/\.c[jt]s$/.test(file)) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * A script journey's module. An ES module is imported. A CommonJS one — a .ts file in a
 * project without "type": "module", written with `import` like any TypeScript — is
 * required: Playwright's loader then compiles it to CommonJS as it does a CommonJS
 * project's specs, whereas imported on Node 20 it is handed over untranslated and fails
 * with "Cannot use import statement outside a module".
 */
async function loadJourney(file: string): Promise<ScriptJourney | undefined> {
  const mod = isModuleFile(file)
    ? ((await import(pathToFileURL(file).href)) as { default?: unknown })
    : (createRequire(import.meta.url)(file) as { default?: unknown });
  // `module.exports = defineJourney(…)` in a .cjs file is the journey itself.
  const picked = mod.default ?? mod;
  return typeof picked === 'object' && picked !== null && typeof (picked as ScriptJourney).run === 'function' ? (picked as ScriptJourney) : undefined;
}

for (const { portal, journey, tag } of plannedJourneys(plan)) {
  if (journey.kind !== 'login' && journey.kind !== 'script') continue;
  const annotation = journeyAnnotation({ portal: portal.name, journey: journey.name });
  test(`${portal.name} › ${journey.name}`, { tag: [`@${portal.name}`, `@${journey.kind}`, tag], annotation }, async ({ probe }) => {
    const session = await probe.begin(portal.name, journey.name);
    if (journey.kind === 'login') {
      await runLoginJourney(session, journey.steps, { thinkTimeMs: journey.thinkTimeMs });
    } else {
      const file = path.resolve(plan.baseDir, journey.file);
      const script = await loadJourney(file);
      if (!script) throw new Error(`Journey module ${journey.file} has no default export with a run() (use defineJourney).`);
      session.declaredSteps = script.steps ?? [];
      await script.run(session);
    }
  });
}
