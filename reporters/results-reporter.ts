/**
 * Playwright reporter → typed journey results. Step durations come from Playwright's
 * own step timing; the probe fixture's attachment adds what only the page knew (error
 * text, category, browser version). Every hook is guarded: a reporter bug must never
 * abort or hang the run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter, Suite, TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import type { BrowserName } from '../config/schema.ts';
import { INTERRUPTED, type JourneyResult, type Outcome, type StepResult } from '../core/result.ts';
import { readAttachment, readJourneyIdentity } from '../core/attachment.ts';
import { readPlan } from '../core/plan.ts';

// Playwright colours its messages even when asked not to; results are plain text.
// eslint-disable-next-line no-control-regex -- matching the ESC of ANSI colour codes is the point
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
interface ProjectMeta { browser: BrowserName; engine: string; viewport: { name: string; width: number; height: number } }

export default class ResultsReporter implements Reporter {
  private readonly runDir: string;
  private readonly results = new Map<string, JourneyResult>();

  constructor(options: { runDir: string }) {
    this.runDir = options.runDir;
  }

  printsToStdio(): boolean {
    return true;
  }

  /** Long checks report progress from the workers; pass those lines through. */
  onStdOut(chunk: string | Buffer): void {
    guard(() => {
      for (const line of chunk.toString().split('\n')) if (line.startsWith('[portal-probe] ')) console.log(`    ${line.slice(15)}`);
    });
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    guard(() => console.log(`Running ${suite.allTests().length} journey(s)…`));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    guard(() => {
      const r = toResult(test, result);
      this.results.set(test.id, r);
      const mark = { passed: '✓', degraded: '~', failed: '✗', 'not-run': '-', error: '!' }[r.outcome];
      const secs = r.durationMs === null ? '' : ` ${(r.durationMs / 1000).toFixed(1)}s`;
      const why = r.failedStep ? ` — failed at "${r.failedStep}": ${r.categoryLabel ?? ''}` : r.reason ? ` — ${r.reason}` : '';
      console.log(`  ${mark} ${r.portal} › ${r.journey}  ${r.browser.name}/${r.viewport.name}${secs}${why}`);
    });
  }

  onEnd(): void {
    guard(() => {
      writeFileSync(path.join(this.runDir, 'playwright-results.json'), JSON.stringify([...this.results.values()], null, 2));
    });
  }
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error(`portal-probe results reporter: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function topLevelSteps(steps: readonly TestStep[]): TestStep[] {
  return steps.flatMap((s) => (s.category === 'test.step' ? [s] : topLevelSteps(s.steps)));
}

export function toResult(test: TestCase, result: TestResult): JourneyResult {
  const plan = readPlan();
  const project = test.parent.project()?.metadata as ProjectMeta | undefined;
  const meta = readAttachment(result.attachments);
  // The identity is data on the test from its declaration: known even if it failed before the journey began.
  const identity = readJourneyIdentity(test.annotations) ?? meta;
  const portalName = identity?.portal ?? '';
  const journeyName = identity?.journey ?? '';
  const portal = plan.config.portals.find((p) => p.name === portalName);
  // Budgets are for the steps of login and script journeys. A check's steps are not
  // comparable: its "sign in" is a whole login, and it waits on purpose.
  const kind = portal?.journeys.find((j) => j.name === journeyName)?.kind;
  const budgets: Record<string, number> = kind === 'login' || kind === 'script' ? plan.config.budgets : {};

  const ran = new Map(topLevelSteps(result.steps).map((s) => [s.title, s]));
  const names = meta?.declaredSteps.length ? meta.declaredSteps : [...ran.keys()];
  let anyOver = false;
  const steps: StepResult[] = names.map((name) => {
    const s = ran.get(name);
    const budgetMs = budgets[name] ?? budgets.default;
    if (!s) return { name, status: meta?.skippedSteps.includes(name) ? 'skipped' : 'not-reached', durationMs: null, ...(budgetMs ? { budgetMs } : {}) };
    // A step is over when what it waited for held: a quiet-network wait after the last response is not the portal's time.
    const durationMs = s.error ? s.duration : Math.max(0, s.duration - Math.min(s.duration, meta?.stepTrims?.[name] ?? 0));
    const overBudget = budgetMs !== undefined && !s.error && durationMs > budgetMs;
    anyOver ||= overBudget;
    return { name, status: s.error ? 'failed' : 'passed', durationMs, ...(budgetMs ? { budgetMs, overBudget } : {}) };
  });

  const failure = meta?.failure ?? undefined;
  let outcome: Outcome;
  let reason: string | undefined;
  if (result.status === 'passed') {
    outcome = anyOver || meta?.degradedReason ? 'degraded' : 'passed';
    if (meta?.degradedReason) reason = meta.degradedReason;
  }
  else if (result.status === 'skipped') { outcome = 'not-run'; reason = 'skipped'; }
  else if (result.status === 'interrupted' && !failure) { outcome = 'not-run'; reason = INTERRUPTED.midway; }
  else if (failure) outcome = 'failed';
  else {
    // Failed before or outside any portal step: the harness, not the portal, broke.
    outcome = 'error';
    const message = stripAnsi((result.error?.message ?? 'unknown harness error').split('\n')[0] ?? '');
    reason = meta?.harnessPhase ? `${message} while ${meta.harnessPhase}` : message;
  }

  return {
    id: `${portalName}/${journeyName}/${project?.browser ?? 'unknown'}/${project?.viewport.name ?? 'unknown'}`,
    runId: plan.runId,
    portal: portalName,
    environment: meta?.environment ?? portal?.environment ?? '',
    journey: journeyName,
    account: meta?.account ?? null,
    browser: { name: project?.browser ?? 'chromium', engine: project?.engine ?? '', version: meta?.browserVersion ?? null },
    viewport: { name: project?.viewport.name ?? '', width: project?.viewport.width ?? null, height: project?.viewport.height ?? null },
    startedAt: result.startTime.toISOString(),
    durationMs: result.duration,
    outcome,
    ...(reason ? { reason } : {}),
    steps,
    ...(failure ? {
      failedStep: failure.step, category: failure.classification.category, categoryLabel: failure.categoryLabel,
      cause: failure.classification.cause, action: failure.classification.action, errorMessage: failure.errorMessage,
      ...(failure.errorText ? { errorText: failure.errorText } : {}),
      ...(failure.httpStatus !== undefined ? { httpStatus: failure.httpStatus } : {}),
    } : {}),
    ...(meta?.finalUrl ? { finalUrl: meta.finalUrl } : {}),
    ...(meta?.check ? { check: meta.check } : {}),
    retries: result.retry,
    artifacts: {
      ...(result.attachments.find((a) => a.name === 'screenshot')?.path ? { screenshot: result.attachments.find((a) => a.name === 'screenshot')?.path } : {}),
      ...(result.attachments.find((a) => a.name === 'trace')?.path ? { trace: result.attachments.find((a) => a.name === 'trace')?.path } : {}),
    },
    labels: plan.config.labels,
  };
}
