/**
 * The fault catalogue: each fault is one precise way vendor portals misbehave, so that every
 * portal-probe detector can be tested against a known truth. README.md documents the exact
 * behaviour of each; keep the two in step.
 */
import { parseDuration } from './durations.ts';

export const DEMO_STEPS = ['login-page', 'login', 'mfa-page', 'mfa', 'acknowledge', 'dashboard', 'logout'] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

export const ENGINES = ['chromium', 'gecko', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

export type Fault =
  | { kind: 'delay'; spec: string; step: DemoStep; ms: number }
  | { kind: 'idle-timeout'; spec: string; ms: number }
  | { kind: 'absolute-timeout'; spec: string; ms: number }
  | HttpErrorFault
  | { kind: 'engine-break'; spec: string; engine: Engine }
  | { kind: 'lockout-after'; spec: string; failures: number }
  | { [K in FlagFaultKind]: { kind: K; spec: string } }[FlagFaultKind];

/**
 * Without `seed`, every 1/rate-th request fails (deterministic, periodic); with it, each request
 * fails independently with probability `rate`, drawn from mulberry32(seed) (see httpErrorFails).
 */
export interface HttpErrorFault {
  kind: 'http-error';
  spec: string;
  step: DemoStep;
  status: number;
  rate: number;
  seed?: number;
}

const FLAG_FAULTS = [
  'logout-keeps-session',
  'session-not-rotated',
  'cookie-flags-dropped',
  'totp-reuse-accepted',
  'totp-always-rejected',
  'extra-step',
  'selector-change',
  'narrow-viewport-break',
  'lookalike-redirect',
  'no-cache-header-dropped',
  'role-access-lost',
  'role-access-leak',
  'no-lockout',
  'user-enumeration',
  'plain-http',
] as const;
type FlagFaultKind = (typeof FLAG_FAULTS)[number];

export type FaultKind = Fault['kind'];

const MAX_DELAY_MS = 600_000;
const MAX_LOCKOUT_FAILURES = 100;
/** mulberry32 keeps 32 bits of state: larger seeds would repeat smaller ones. */
const MAX_SEED = 0xffff_ffff;
const HTTP_ERROR_FORM = 'http-error:<step>:<status>[:<rate>[:seed=<seed>]]';
const ALLOWED =
  `one of ${FLAG_FAULTS.join(', ')}, delay:<step>:<ms>, ${HTTP_ERROR_FORM}, ` +
  `idle-timeout:<duration>, absolute-timeout:<duration>, lockout-after:<failures> or engine-break:<${ENGINES.join('|')}>`;

function isStep(text: string | undefined): text is DemoStep {
  return (DEMO_STEPS as readonly string[]).includes(text ?? '');
}

function bad(spec: string, why: string): Error {
  return new Error(`Invalid fault spec "${spec}": ${why}.`);
}

function stepOf(spec: string, text: string | undefined): DemoStep {
  if (!isStep(text)) throw bad(spec, `the step must be one of ${DEMO_STEPS.join(', ')}`);
  return text;
}

/** Parses one fault spec; throws an Error whose one-sentence message names the spec and what is allowed. */
export function parseFault(spec: string): Fault {
  const text = spec.trim();
  const [kind, ...args] = text.split(':');
  if ((FLAG_FAULTS as readonly string[]).includes(text)) return { kind: text as FlagFaultKind, spec: text };
  switch (kind) {
    case 'delay': {
      if (args.length !== 2) throw bad(text, 'expected delay:<step>:<ms>');
      const step = stepOf(text, args[0]);
      const ms = Number(args[1]);
      if (!/^\d+$/.test(args[1] ?? '') || ms < 1 || ms > MAX_DELAY_MS) {
        throw bad(text, `the delay must be a whole number of milliseconds from 1 to ${MAX_DELAY_MS}`);
      }
      return { kind, spec: text, step, ms };
    }
    case 'idle-timeout':
    case 'absolute-timeout': {
      const ms = args.length === 1 ? parseDuration(args[0] ?? '') : undefined;
      if (ms === undefined) throw bad(text, `expected ${kind}:<duration> with a duration like 500ms, 20s, 5m or 1h`);
      return { kind, spec: text, ms };
    }
    case 'http-error': {
      if (args.length < 2 || args.length > 4) throw bad(text, `expected ${HTTP_ERROR_FORM}`);
      const step = stepOf(text, args[0]);
      const status = Number(args[1]);
      if (!/^\d{3}$/.test(args[1] ?? '') || status < 400 || status > 599) {
        throw bad(text, 'the status must be an HTTP error status from 400 to 599');
      }
      if (args[2]?.startsWith('seed=')) throw bad(text, 'a seed needs a rate before it, as in http-error:<step>:<status>:<rate>:seed=<seed>');
      const rate = args[2] === undefined ? 1 : Number(args[2]);
      if (!Number.isFinite(rate) || rate <= 0 || rate > 1 || args[2]?.trim() === '') {
        throw bad(text, 'the rate must be a number greater than 0 and at most 1');
      }
      if (args[3] === undefined) return { kind, spec: text, step, status, rate };
      const seedText = /^seed=(\d+)$/.exec(args[3])?.[1];
      const seed = Number(seedText);
      if (seedText === undefined || seed > MAX_SEED) {
        throw bad(text, `the seed must be written seed=<seed> with <seed> a whole number from 0 to ${MAX_SEED}`);
      }
      return { kind, spec: text, step, status, rate, seed };
    }
    case 'engine-break': {
      const engine = args[0];
      if (args.length !== 1 || !(ENGINES as readonly string[]).includes(engine ?? '')) {
        throw bad(text, `expected engine-break:<${ENGINES.join('|')}>`);
      }
      return { kind, spec: text, engine: engine as Engine };
    }
    case 'lockout-after': {
      const failures = Number(args[0]);
      if (args.length !== 1 || !/^\d+$/.test(args[0] ?? '') || failures < 1 || failures > MAX_LOCKOUT_FAILURES) {
        throw bad(text, `expected lockout-after:<failures> with a whole number of failures from 1 to ${MAX_LOCKOUT_FAILURES}`);
      }
      return { kind, spec: text, failures };
    }
    default:
      throw bad(text, `the fault must be ${ALLOWED}`);
  }
}

/** Two faults of one kind on the same step would make "what does the portal do" ambiguous. */
function conflictKey(fault: Fault): string {
  // A portal that never locks cannot also lock early: both set the lockout rule.
  if (fault.kind === 'no-lockout' || fault.kind === 'lockout-after') return 'lockout';
  return 'step' in fault ? `${fault.kind}:${fault.step}` : fault.kind;
}

export function parseFaultList(specs: readonly string[]): Fault[] {
  const seen = new Map<string, string>();
  return specs.map((spec) => {
    const fault = parseFault(spec);
    const key = conflictKey(fault);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const rule = key === 'lockout' ? 'no-lockout and lockout-after both set the lockout rule, at most one of them' : 'each fault kind at most once per step';
      throw new Error(`Invalid fault spec "${fault.spec}": it conflicts with "${earlier}" (${rule}).`);
    }
    seen.set(key, fault.spec);
    return fault;
  });
}

/**
 * The n-th output (n ≥ 1) of the mulberry32 generator seeded with `seed`, in [0, 1). mulberry32's
 * state only ever advances by adding 0x6d2b79f5, so after n steps it is seed + n·0x6d2b79f5
 * (mod 2³²) and the request counter is all the state a seeded fault needs.
 */
export function mulberry32Draw(seed: number, n: number): number {
  let t = (seed + Math.imul(n, 0x6d2b79f5)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Whether the n-th request (n ≥ 1) to an http-error fault's step fails. Without a seed, with
 * rate r it fails iff floor(n*r) > floor((n-1)*r); with a seed, iff the n-th mulberry32(seed)
 * draw is below r, so each request fails independently with probability r.
 */
export function httpErrorFails(fault: Pick<HttpErrorFault, 'rate' | 'seed'>, n: number): boolean {
  if (fault.seed !== undefined) return mulberry32Draw(fault.seed, n) < fault.rate;
  // Rounding guards against 0.1*10 style float error deciding a boundary.
  const floorAt = (k: number): number => Math.floor(Math.round(k * fault.rate * 1e9) / 1e9);
  return floorAt(n) > floorAt(n - 1);
}

/**
 * The active faults plus the per-step request counters that drive http-error rates, periodic
 * or seeded. Counters restart whenever the fault list is replaced, so a test that sets a rate
 * (and seed) sees the pattern from its first request.
 */
export class FaultSet {
  private active: Fault[] = [];
  private readonly counters = new Map<DemoStep, number>();

  constructor(specs: readonly string[] = []) {
    this.replace(specs);
  }

  replace(specs: readonly string[]): void {
    this.active = parseFaultList(specs);
    this.counters.clear();
  }

  specs(): string[] {
    return this.active.map((f) => f.spec);
  }

  find<K extends FaultKind>(kind: K): Extract<Fault, { kind: K }> | undefined {
    return this.active.find((f): f is Extract<Fault, { kind: K }> => f.kind === kind);
  }

  has(kind: FlagFaultKind): boolean {
    return this.find(kind) !== undefined;
  }

  delayMs(step: DemoStep): number {
    return this.active.find((f): f is Extract<Fault, { kind: 'delay' }> => f.kind === 'delay' && f.step === step)?.ms ?? 0;
  }

  /** Counts one request to `step` and answers the status it must fail with, if any (see httpErrorFails). */
  httpErrorFor(step: DemoStep): number | undefined {
    const fault = this.active.find((f): f is HttpErrorFault => f.kind === 'http-error' && f.step === step);
    if (!fault) return undefined;
    const n = (this.counters.get(step) ?? 0) + 1;
    this.counters.set(step, n);
    return httpErrorFails(fault, n) ? fault.status : undefined;
  }

  resetCounters(): void {
    this.counters.clear();
  }
}
