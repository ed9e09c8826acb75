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
import { readAttachment, readJourneyIdentity, type JourneyIdentity, type ProbeAttachment } from '../core/attachment.ts';
import { readPlan, type RunPlan } from '../core/plan.ts';

// Playwright colours its messages even when asked not to; results are plain text.
// eslint-disable-next-line no-control-regex -- matching the ESC of ANSI colour codes is the point
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
export interface ProjectMeta { browser: BrowserName; engine: string; viewport: { name: string; width: number; height: number } }

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

/** A journey as it ran, whoever ran it: what `journeyResult` builds a typed result from. */
export interface RawJourney {
  /** From the test's declaration: known even if it failed before the journey began. */
  identity: JourneyIdentity | undefined;
  cell: ProjectMeta | undefined;
  /** What the page knew (the probe's attachment). */
  meta: ProbeAttachment | undefined;
  /** The journey's timed steps, in order (a title seen twice: the last). */
  steps: { title: string; duration: number; error: boolean }[];
  status: TestResult['status'];
  errorMessage: string | undefined;
  startTime: Date;
  duration: number;
  retry: number;
  screenshot?: string | undefined;
  trace?: string | undefined;
}

/** A Playwright test's result as a journey result. */
export function toResult(test: TestCase, result: TestResult): JourneyResult {
  return journeyResult(readPlan(), {
    identity: readJourneyIdentity(test.annotations),
    cell: test.parent.project()?.metadata as ProjectMeta | undefined,
    meta: readAttachment(result.attachments),
    steps: topLevelSteps(result.steps).map((s) => ({ title: s.title, duration: s.duration, error: s.error !== undefined })),
    status: result.status,
    errorMessage: result.error?.message,
    startTime: result.startTime,
    duration: result.duration,
    retry: result.retry,
    screenshot: result.attachments.find((a) => a.name === 'screenshot')?.path,
    trace: result.attachments.find((a) => a.name === 'trace')?.path,
  });
}

export function journeyResult(plan: RunPlan, raw: RawJourney): JourneyResult {
  const { meta, cell: project } = raw;
  const identity = raw.identity ?? meta;
  const portalName = identity?.portal ?? '';
  const journeyName = identity?.journey ?? '';
  const portal = plan.config.portals.find((p) => p.name === portalName);
  // Budgets are for the steps of login and script journeys. A check's steps are not
  // comparable: its "sign in" is a whole login, and it waits on purpose.
  const kind = portal?.journeys.find((j) => j.name === journeyName)?.kind;
  const budgets: Record<string, number> = kind === 'login' || kind === 'script' ? plan.config.budgets : {};

  const ran = new Map(raw.steps.map((s) => [s.title, s]));
  const names = meta?.declaredSteps.length ? meta.declaredSteps : [...ran.keys()];
  const failure = meta?.failure ?? undefined;
  // The journey ended at its failed step. A journey timeout classifies the step under way while
  // its body runs on until the context closes: what that step and the next did meanwhile is
  // not the journey's (the step failed; those after it were not reached). A step that was over
  // when the journey failed (a finding after it, a timeout in think time) keeps what it measured.
  const failedAt = failure ? names.indexOf(failure.step) : -1;
  let anyOver = false;
  const steps: StepResult[] = names.map((name, i) => {
    const s = failedAt >= 0 && i > failedAt ? undefined : ran.get(name);
    const budgetMs = budgets[name] ?? budgets.default;
    if (i === failedAt && failure?.inStep !== false && (!s || !s.error)) return { name, status: 'failed', durationMs: s?.duration ?? null, ...(budgetMs ? { budgetMs } : {}) };
    if (!s) return { name, status: meta?.skippedSteps.includes(name) ? 'skipped' : 'not-reached', durationMs: null, ...(budgetMs ? { budgetMs } : {}) };
    // A step is over when what it waited for held: a quiet-network wait after the last response is not the portal's time.
    const durationMs = s.error ? s.duration : Math.max(0, s.duration - Math.min(s.duration, meta?.stepTrims?.[name] ?? 0));
    const overBudget = budgetMs !== undefined && !s.error && durationMs > budgetMs;
    anyOver ||= overBudget;
    return { name, status: s.error ? 'failed' : 'passed', durationMs, ...(budgetMs ? { budgetMs, overBudget } : {}) };
  });

  let outcome: Outcome;
  let reason: string | undefined;
  if (raw.status === 'passed') {
    outcome = anyOver || meta?.degradedReason ? 'degraded' : 'passed';
    if (meta?.degradedReason) reason = meta.degradedReason;
  }
  else if (raw.status === 'skipped') { outcome = 'not-run'; reason = 'skipped'; }
  else if (raw.status === 'interrupted' && !failure) { outcome = 'not-run'; reason = INTERRUPTED.midway; }
  else if (failure) outcome = 'failed';
  else {
    // Failed before or outside any portal step: the harness, not the portal, broke.
    outcome = 'error';
    const message = stripAnsi((raw.errorMessage ?? 'unknown harness error').split('\n')[0] ?? '');
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
    startedAt: raw.startTime.toISOString(),
    durationMs: raw.duration,
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
    retries: raw.retry,
    artifacts: {
      ...(raw.screenshot ? { screenshot: raw.screenshot } : {}),
      ...(raw.trace ? { trace: raw.trace } : {}),
    },
    labels: plan.config.labels,
  };
}
