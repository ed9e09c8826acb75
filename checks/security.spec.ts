/**
 * Session and security checks: one test per configured check journey. Server policy
 * rarely differs by browser, so a check runs in the first project of the matrix unless
 * it is marked allBrowsers (the @primary-only tag is filtered out elsewhere).
 */
import { test } from '../fixtures/probe.ts';
import { plannedJourneys, readPlan } from '../core/plan.ts';
import { journeyAnnotation } from '../core/attachment.ts';
import { estimateMs, isCheck } from '../core/checks-catalog.ts';
import type { CheckKind } from '../config/schema.ts';
import { loginSteps } from '../fixtures/sessions.ts';
import type { CheckContext } from '../fixtures/checks/context.ts';
import { logoutEndsSession, sessionRotation } from '../fixtures/checks/termination.ts';
import { cachePolicy, cookiePolicy, transport } from '../fixtures/checks/headers.ts';
import { genericLoginErrors, lockout, totpSingleUse } from '../fixtures/checks/auth-policy.ts';
import { absoluteExpiry, idleExpiry } from '../fixtures/checks/lifetime.ts';
import { roleAccess } from '../fixtures/checks/role-access.ts';

type AnyCheck = (c: CheckContext<CheckKind>) => Promise<void>;
const CHECKS: Record<CheckKind, AnyCheck> = {
  'idle-expiry': idleExpiry as AnyCheck,
  'absolute-expiry': absoluteExpiry as AnyCheck,
  'logout-ends-session': logoutEndsSession as AnyCheck,
  'session-rotation': sessionRotation as AnyCheck,
  'cookie-policy': cookiePolicy as AnyCheck,
  'cache-policy': cachePolicy as AnyCheck,
  'totp-single-use': totpSingleUse as AnyCheck,
  'generic-login-errors': genericLoginErrors as AnyCheck,
  lockout: lockout as AnyCheck,
  transport: transport as AnyCheck,
  'role-access': roleAccess as AnyCheck,
};

const plan = readPlan();
for (const { portal, journey, tag } of plannedJourneys(plan)) {
  if (!isCheck(journey.kind)) continue;
  const tags = ['@check', `@${journey.kind}`, tag];
  const annotation = journeyAnnotation({ portal: portal.name, journey: journey.name });
  test(`${portal.name} › ${journey.name}`, { tag: tags, annotation }, async ({ probe, browser }, testInfo) => {
    // Long checks wait by design: their own duration on top of the journey timeout.
    testInfo.setTimeout(plan.config.timeouts.journeyMs + (estimateMs(journey) ?? 0) * 1.3);
    const session = await probe.begin(portal.name, journey.name);
    const kind = journey.kind as CheckKind;
    await CHECKS[kind]({ probe: session, browser, projectName: testInfo.project.name, journey: journey as CheckContext<CheckKind>['journey'], steps: loginSteps(portal, (journey as { login: string }).login) });
  });
}
