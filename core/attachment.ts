/**
 * The one contract between the journey runtime (fixtures/) and the results reporter: the
 * journey's identity, carried on the test as an annotation from the moment it is declared
 * (so even a journey that fails before it begins is known), and what only the page knew,
 * attached by the probe fixture as one typed JSON attachment. The reporter never parses
 * test titles and never imports fixtures.
 */
import type { Classification } from './classify.ts';
import type { CheckInfo } from './result.ts';

export const JOURNEY_ANNOTATION = 'portal-probe:journey';
export const PROBE_ATTACHMENT = 'portal-probe';

export interface JourneyIdentity { portal: string; journey: string }

/** How a failed step was classified, with its evidence already redacted. */
export interface StepFailureRecord {
  step: string;
  /**
   * Whether the step was still under way when the journey failed (its own error, a timeout
   * that cut it off) rather than over (a check's finding after it, a timeout in think time):
   * a step that ended cleanly keeps its status and time.
   */
  inStep?: boolean;
  classification: Classification;
  categoryLabel: string;
  errorMessage: string;
  errorText?: string;
  httpStatus?: number;
}

export interface ProbeAttachment extends JourneyIdentity {
  environment: string;
  account: string;
  browserVersion: string;
  declaredSteps: string[];
  skippedSteps: string[];
  failure: StepFailureRecord | null;
  finalUrl: string;
  /** What the harness was doing between portal steps when the journey ended, if it ended there. */
  harnessPhase: string | null;
  check: CheckInfo | null;
  degradedReason: string | null;
  /** Per step, the time its body ran on after the step was over (a quiet-network wait). */
  stepTrims: Record<string, number>;
}

/** The annotation a journey's test is declared with (`test(title, { annotation }, …)`). */
export function journeyAnnotation(id: JourneyIdentity): { type: string; description: string } {
  return { type: JOURNEY_ANNOTATION, description: JSON.stringify({ portal: id.portal, journey: id.journey }) };
}

export function readJourneyIdentity(annotations: readonly { type: string; description?: string }[]): JourneyIdentity | undefined {
  const a = annotations.find((x) => x.type === JOURNEY_ANNOTATION);
  if (!a?.description) return undefined;
  try {
    const v = JSON.parse(a.description) as Partial<JourneyIdentity>;
    return typeof v.portal === 'string' && typeof v.journey === 'string' ? { portal: v.portal, journey: v.journey } : undefined;
  } catch {
    return undefined; // the attachment names the journey too
  }
}

export function encodeAttachment(a: ProbeAttachment): { name: string; body: string; contentType: string } {
  return { name: PROBE_ATTACHMENT, body: JSON.stringify(a), contentType: 'application/json' };
}

export function readAttachment(attachments: readonly { name: string; body?: Buffer }[]): ProbeAttachment | undefined {
  const att = attachments.find((a) => a.name === PROBE_ATTACHMENT);
  return att?.body ? (JSON.parse(att.body.toString('utf8')) as ProbeAttachment) : undefined;
}
