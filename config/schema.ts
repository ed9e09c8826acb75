/**
 * The config contract. One zod schema; every object is strict so a typo is an error
 * rather than a silently ignored setting. Types used inside the harness are inferred
 * from here (`ProbeConfig` is the validated, defaults-applied shape).
 */
import { z } from 'zod';

/** Secrets are references resolved at start-up, never literals in a config file. */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, {
    error: 'must be a secret reference such as "env:PORTAL_PASSWORD" or "file:/run/secrets/portal-password", never the secret itself',
  });

const exact = z.boolean().optional();
export const locatorSchema = z.union([
  z.strictObject({ role: z.string().min(1), name: z.string().optional(), exact }),
  z.strictObject({ label: z.string().min(1), exact }),
  z.strictObject({ testId: z.string().min(1) }),
  z.strictObject({ css: z.string().min(1) }),
  z.strictObject({ text: z.string().min(1), exact }),
], { error: 'must be a locator: one of { role, name? }, { label }, { testId }, { css } or { text }' });
export type LocatorSpec = z.infer<typeof locatorSchema>;

/** A duration: milliseconds, or a string such as "500ms", "20s", "30m", "12h". */
export const durationSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, { error: 'must be a duration such as "500ms", "20s", "30m" or "12h"' }),
]).transform((v) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m?.[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m?.[1] ?? 0) * unit);
});

const stepName = z.string().min(1).max(40).optional();

/**
 * What a step waits for after its action. A bare locator means "visible", as before. A
 * condition object may list several conditions; an array lists several objects. All must
 * hold; the step's time ends when the last of them is first seen to hold.
 */
export const conditionSchema = z.strictObject({
  visible: locatorSchema.optional(),
  hidden: locatorSchema.optional(),
  /** The top page's URL (the address a person sees, even in a step with `frame`) matches a glob (as Playwright's waitForURL takes it) or a "/regex/". */
  url: z.string().min(1).optional(),
  /** A response to a URL glob or "/regex/", with this status if given. */
  response: z.strictObject({ url: z.string().min(1), status: z.number().int().min(100).max(599).optional() }).optional(),
  /** No counted request (document, fetch, XHR) for this long; the step ends at the last response. */
  networkQuiet: durationSchema.optional(),
}).refine((c) => Object.values(c).some((v) => v !== undefined), { error: 'an expect condition needs at least one of visible, hidden, url, response or networkQuiet' });
export type ConditionSpec = z.infer<typeof conditionSchema>;
const expectOne = z.union([locatorSchema, conditionSchema], { error: 'must be a locator, or conditions { visible?, hidden?, url?, response?, networkQuiet? }' });
export const expectSchema = z.union([expectOne, z.array(expectOne).min(1)]);
export type ExpectSpec = z.infer<typeof expectSchema>;
/** Wait for this after the action, so the step's time covers what a person waits for. */
const expectAfter = expectSchema.optional();
/** The <iframe> the step acts in (its targets and its expect). */
const frame = locatorSchema.optional();
/** An element that shows the portal's error message in place (besides role=alert and aria-live=assertive). */
const errorLocator = locatorSchema.optional();
const common = { name: stepName, frame, errorLocator };

/** One action of a multi-action step (a sign-out behind a menu and a confirm dialog). */
export const actionSchema = z.union([
  z.strictObject({ click: locatorSchema }),
  z.strictObject({ hover: locatorSchema }),
  z.strictObject({ press: z.string().min(1) }),
], { error: 'must be one action: { click: <locator> }, { hover: <locator> } or { press: "<key>" }' });
export type ActionSpec = z.infer<typeof actionSchema>;

export const journeyStepSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('open'), ...common, path: z.string().default('/'), expect: expectAfter }),
  /** Go to another path of the portal, or a full URL (an allowed host), mid-journey. */
  z.strictObject({ step: z.literal('goto'), ...common, path: z.string().min(1), expect: expectAfter }),
  z.strictObject({
    step: z.literal('fill'), ...common, target: locatorSchema,
    value: z.enum(['username', 'npi', 'password']),
  }),
  /** The credential submit: the first submit of a journey sends the password. */
  z.strictObject({ step: z.literal('submit'), ...common, target: locatorSchema, expect: expectAfter }),
  z.strictObject({ step: z.literal('click'), ...common, target: locatorSchema, expect: expectAfter }),
  z.strictObject({ step: z.literal('hover'), ...common, target: locatorSchema, expect: expectAfter }),
  z.strictObject({ step: z.literal('press'), ...common, key: z.string().min(1), target: locatorSchema.optional(), expect: expectAfter }),
  z.strictObject({ step: z.literal('select'), ...common, target: locatorSchema, option: z.string().min(1), expect: expectAfter }),
  z.strictObject({ step: z.literal('check'), ...common, target: locatorSchema, uncheck: z.boolean().default(false), expect: expectAfter }),
  z.strictObject({ step: z.literal('waitFor'), ...common, expect: expectSchema }),
  z.strictObject({
    step: z.literal('totp'), ...common,
    /** One field, or split boxes (one digit each, in document order). A field that appears in place is waited for. */
    target: locatorSchema.optional(), boxes: locatorSchema.optional(),
    submit: locatorSchema.optional(), expect: expectAfter,
  }).refine((s) => (s.target === undefined) !== (s.boxes === undefined), {
    error: 'a totp step needs exactly one of "target" (one field) or "boxes" (split digit inputs)',
  }),
  z.strictObject({
    step: z.literal('interstitial'), ...common,
    /** Shown only sometimes (e.g. once a day): if `when` is not visible once the previous page has loaded (or within `waitMs`, for pages that draw it late), the step is skipped. */
    when: locatorSchema, waitMs: z.number().int().min(0).max(60_000).default(0),
    check: z.array(locatorSchema).default([]), click: locatorSchema, expect: expectAfter,
  }),
  z.strictObject({ step: z.literal('assert'), ...common, target: locatorSchema, text: z.string().optional() }),
  /** One click (target), a short sequence of actions (a menu, then a confirm dialog), or a URL (path). */
  z.strictObject({
    step: z.literal('logout'), ...common,
    target: locatorSchema.optional(), actions: z.array(actionSchema).min(1).max(10).optional(), path: z.string().min(1).optional(),
    expect: expectSchema,
  }).refine((s) => [s.target, s.actions, s.path].filter((x) => x !== undefined).length === 1, {
    error: 'a logout step needs exactly one of "target" (one click), "actions" (a sequence) or "path" (a sign-out URL)',
  }),
]);
export type JourneyStep = z.infer<typeof journeyStepSchema>;

const accountsRef = z.union([
  z.strictObject({ pool: z.string().min(1) }),
  z.strictObject({ account: z.string().min(1) }),
]);
export type AccountsRef = z.infer<typeof accountsRef>;


/**
 * Session and security checks reuse a login journey of the same portal (its steps up
 * to the logged-in assertion; its logout step where the check needs one) and probe an
 * authenticated URL: 2xx = the session is alive; a redirect, 401 or 403 = it is not.
 */
const checkBase = {
  name: z.string().min(1),
  use: accountsRef,
  login: z.string().min(1),
  probePath: z.string().startsWith('/', { error: 'must be a path on the portal such as "/dashboard"' }).default('/'),
  /** Run in every browser of the matrix rather than the first only (server policy rarely differs by browser). */
  allBrowsers: z.boolean().default(false),
};

export const checkKinds = [
  'idle-expiry', 'absolute-expiry', 'logout-ends-session', 'session-rotation',
  'cookie-policy', 'cache-policy', 'totp-single-use', 'generic-login-errors', 'lockout', 'transport', 'role-access',
] as const;
export type CheckKind = (typeof checkKinds)[number];

const portalPath = z.string().startsWith('/', { error: 'must be a path on the portal such as "/labs" or "/api/claims"' });

/**
 * One role of a role-access check, as a person testing an EHR portal thinks of it: its own
 * test account or pool (`use`; every account in it must have this `role`), the login
 * journey it signs in with (roles land on different pages), the paths it must reach and
 * those it must be refused — pages, or on a single-page portal the API paths behind its
 * views (its pages are one shell for everyone).
 */
const roleAccessSchema = z.strictObject({
  role: z.string().min(1),
  use: accountsRef,
  login: z.string().min(1),
  allow: z.array(portalPath).default([]),
  deny: z.array(portalPath).default([]),
}).refine((r) => r.allow.length + r.deny.length > 0, { error: 'a role needs at least one "allow" or "deny" path' });

export const journeySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('login'), name: z.string().min(1), use: accountsRef,
    steps: z.array(journeyStepSchema).min(1),
    /**
     * Think time: a pause before every step after the first, as a person reading the page.
     * Counted in no step. It also lets the previous page's background work (favicon,
     * idle tasks) finish, so each step's time is its own — steadier figures.
     */
    thinkTimeMs: z.number().int().min(0).max(60_000).default(0),
  }),
  z.strictObject({
    kind: z.literal('script'), name: z.string().min(1), use: accountsRef,
    /** A TypeScript journey module (default export built with `defineJourney`). Relative to the config file. */
    file: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('idle-expiry'), ...checkBase,
    expected: durationSchema, tolerance: durationSchema.optional(),
    /** verify: alive at expected − tolerance, dead at expected + tolerance. measure: find the real value. */
    mode: z.enum(['verify', 'measure']).default('verify'),
    resolution: durationSchema.optional(),
    maxSessions: z.number().int().min(2).max(20).default(8),
    /**
     * Which idle is measured. tab-open: the signed-in page stays open with no input, as a
     * person walking away leaves it (a single-page app may keep the session alive on a
     * timer meanwhile). tab-closed: no page of the session stays open.
     */
    idle: z.enum(['tab-open', 'tab-closed']).default('tab-open'),
  }),
  z.strictObject({
    kind: z.literal('absolute-expiry'), ...checkBase,
    expected: durationSchema, tolerance: durationSchema.optional(),
    /** How often the session is used to keep it under the idle limit. */
    keepAliveEvery: durationSchema,
  }),
  z.strictObject({ kind: z.literal('logout-ends-session'), ...checkBase }),
  z.strictObject({ kind: z.literal('session-rotation'), ...checkBase, sessionCookie: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('cookie-policy'), ...checkBase, sessionCookie: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('cache-policy'), ...checkBase }),
  z.strictObject({ kind: z.literal('totp-single-use'), ...checkBase }),
  /** Opt-in: spends failed sign-in attempts on the account. */
  z.strictObject({ kind: z.literal('generic-login-errors'), ...checkBase }),
  /** Opt-in, sacrificial account only; refused for production portals. */
  z.strictObject({
    kind: z.literal('lockout'), ...checkBase,
    threshold: z.number().int().min(1).max(20).default(5),
    duration: durationSchema,
    /** Wait the lockout out and prove the account works again (a long check). */
    verifyUnlock: z.boolean().default(false),
  }),
  /**
   * Per role, what it must reach and what it must be refused, asked with GET as that role.
   * Reached: a 2xx answer showing none of `deniedText`, redirects on the portal followed
   * except to the role's login page or to `deniedPages`. A 5xx is no verdict (Backend).
   * Anything else is refused: 401, 403, 404, a redirect to sign-in, to an access-denied page
   * or off the portal. Each role signs in with its own `use` and `login`, so the check has
   * none of its own: it leases the first role's account, and its result names that account.
   */
  z.strictObject({
    kind: z.literal('role-access'), name: z.string().min(1),
    roles: z.array(roleAccessSchema).min(1),
    /** Where the portal sends a user it refuses, besides its sign-in page: "/access-denied". */
    deniedPages: z.array(portalPath).default([]),
    /** Words of a refusal the portal answers with 200 ("You are not authorized"), matched without case. */
    deniedText: z.array(z.string().min(1)).default([]),
    allBrowsers: z.boolean().default(false),
  }).transform((j) => ({ ...j, use: j.roles[0]?.use ?? { pool: '' }, login: j.roles[0]?.login ?? '' })),
  z.strictObject({
    kind: z.literal('transport'), ...checkBase,
    /** Hosts allowed to use plain HTTP (the demo portal on loopback). */
    allowHttpHosts: z.array(z.string()).default(['127.0.0.1', 'localhost', '[::1]']),
    certWarnDays: z.number().int().min(0).max(365).default(14),
  }),
]);
export type JourneyConfig = z.infer<typeof journeySchema>;

export const accountSchema = z.strictObject({
  id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, { error: 'may use letters, digits, ".", "_" and "-" only' }),
  role: z.string().min(1),
  /** Test-account user names are identifiers, not secrets; a reference is allowed too. */
  username: z.string().min(1),
  npi: z.string().regex(/^\d{10}$/, { error: 'must be a 10-digit NPI' }).optional(),
  password: secretRef,
  totpSeed: secretRef.optional(),
  pool: z.string().min(1).optional(),
});
export type AccountConfig = z.infer<typeof accountSchema>;

export const totpSchema = z.strictObject({
  periodSeconds: z.number().int().min(1).max(300).default(30),
  digits: z.number().int().min(6).max(8).default(6),
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha1'),
  /** Steps the portal accepts either side of now; 0 is the safe default for unknown portals. */
  acceptedWindow: z.number().int().min(0).max(2).default(0),
  minRemainingMs: z.number().int().min(0).max(25_000).default(5000),
});

export const environmentSchema = z.enum(['production', 'staging', 'test', 'demo']);

export const portalSchema = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, { error: 'may use letters, digits, ".", "_" and "-" only' }),
  environment: environmentSchema,
  /** An http(s) URL, or "demo" for the embedded demo portal that portal-probe starts itself. */
  baseUrl: z.union([z.literal('demo'), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or "demo"' })]),
  /** Host names the journey may visit (SSO hosts too). The base URL's host is always allowed. */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /**
   * CSS selectors of patient data on this portal's pages (real portals do not mark it).
   * Added to `[data-phi]`: masked in screenshots and page snapshots, and removed from any
   * text the harness reports (headings, error messages).
   */
  phiSelectors: z.array(z.string().min(1)).default([]),
  /** Where this portal shows errors in place, besides role=alert and aria-live=assertive regions. */
  errorLocator: locatorSchema.optional(),
  /**
   * URL globs (or "/regex/") of requests a step never waits for: analytics, long polls,
   * keep-alive calls. Documents and fetch/XHR to allowed hosts count otherwise.
   */
  backgroundRequests: z.array(z.string().min(1)).default([]),
  /** Accept this portal's certificate although no trusted CA signed it (default: the top-level `ignoreHTTPSErrors`). Always on for the embedded demo portal. */
  ignoreHTTPSErrors: z.boolean().optional(),
  totp: totpSchema.prefault({}),
  accounts: z.array(accountSchema).min(1),
  journeys: z.array(journeySchema).min(1),
});

export const browserNames = ['chromium', 'chrome', 'edge', 'firefox', 'webkit'] as const;
export type BrowserName = (typeof browserNames)[number];

export const viewportSchema = z.union([
  z.enum(['desktop', 'android', 'iphone', 'tablet']),
  z.strictObject({
    name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/),
    /** A Playwright device name, e.g. "Pixel 7" or "iPhone 15". */
    device: z.string().min(1).optional(),
    width: z.number().int().min(200).max(4000).optional(),
    height: z.number().int().min(200).max(4000).optional(),
    /** Restrict this viewport to some browsers (e.g. iPhone on webkit only). */
    browsers: z.array(z.enum(browserNames)).optional(),
  }),
]);
export type ViewportConfig = z.infer<typeof viewportSchema>;

/**
 * An outbound HTTP proxy for networks where the portal is reachable only through one. Every
 * allowed connection goes through it as a CONNECT tunnel (TLS stays end to end); the
 * allow-list is still applied first, so a refused host never reaches the proxy either.
 */
export const proxySchema = z.strictObject({
  /** http://host:port of the proxy. */
  server: z.url({ protocol: /^http$/, error: 'must be an http:// URL such as "http://proxy.example.org:3128"' })
    .refine((u) => { const url = new URL(u); return url.username === '' && url.password === ''; }, {
      error: 'must not hold a user name or password: put them in proxy.username and proxy.password (a secret reference)',
    })
    .refine((u) => { const url = new URL(u); return (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === ''; }, {
      error: 'must be only scheme, host and port, such as "http://proxy.example.org:3128"',
    }),
  /** Hosts connected to directly: "host", ".example.org" (any host under it) or "host:port". */
  bypass: z.array(z.string().min(1).regex(/^\.?[A-Za-z0-9.[\]:_-]+$/, { error: 'must be a host name, ".domain" or "host:port"' })).default([]),
  /** For a proxy that asks for Basic authentication: a plain name or a secret reference. */
  username: z.string().min(1).optional(),
  password: secretRef.optional(),
}).refine((p) => (p.username === undefined) === (p.password === undefined), {
  error: 'needs both username and password, or neither', path: ['password'],
});
export type ProxyConfig = z.infer<typeof proxySchema>;

/** A schedule: cron (five or six fields) with a time zone, or a fixed interval. */
const scheduleTiming = {
  /** A fixed interval such as "5m". */
  every: durationSchema.refine((ms) => ms >= 1000, { error: 'must be at least 1 s' }).optional(),
  /** A cron expression such as "*\/5 * * * *" (minute hour day month weekday; an optional leading seconds field). */
  cron: z.string().min(1).optional(),
  /** The time zone the cron expression is read in (IANA name, default UTC). */
  timezone: z.string().min(1).optional(),
};
const exactlyOneTiming = (s: { every?: number; cron?: string }): boolean => (s.every === undefined) !== (s.cron === undefined);

export const monitorScheduleSchema = z.strictObject({
  /** Only this portal's journeys (default: every portal). */
  portal: z.string().min(1).optional(),
  /** These journeys, by name (default: every login and script journey of the portal(s); checks must be named). */
  journeys: z.array(z.string().min(1)).min(1).optional(),
  ...scheduleTiming,
}).refine(exactlyOneTiming, { error: 'needs exactly one of "every" or "cron"', path: ['every'] });
export type MonitorSchedule = z.infer<typeof monitorScheduleSchema>;

/** A maintenance window: one-off (from–to) or recurring (cron + duration). Runs go on and are recorded; nothing is posted. */
export const maintenanceSchema = z.strictObject({
  portal: z.string().min(1),
  from: z.iso.datetime({ offset: true, error: 'must be an ISO date and time such as "2026-12-24T22:00:00Z"' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO date and time such as "2026-12-25T02:00:00Z"' }).optional(),
  cron: z.string().min(1).optional(),
  duration: durationSchema.optional(),
  timezone: z.string().min(1).optional(),
}).refine((m) => (m.from !== undefined && m.to !== undefined && m.cron === undefined && m.duration === undefined)
  || (m.cron !== undefined && m.duration !== undefined && m.from === undefined && m.to === undefined), {
  error: 'needs either "from" and "to", or "cron" and "duration"', path: ['from'],
}).refine((m) => m.from === undefined || m.to === undefined || Date.parse(m.to) > Date.parse(m.from), { error: 'must end after "from"', path: ['to'] });
export type MaintenanceWindow = z.infer<typeof maintenanceSchema>;

export const slackWebhookSchema = z.strictObject({
  /** A label for logs and metrics (never the URL). */
  name: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, { error: 'may use letters, digits, ".", "_" and "-" only' }),
  /** The incoming webhook URL, as a secret reference: it is a credential. */
  url: secretRef,
  /** Only incidents of these portals (default: all). */
  portals: z.array(z.string().min(1)).optional(),
  /** Only these severities (default: both). */
  severities: z.array(z.enum(['critical', 'degraded'])).min(1).optional(),
});

/** `portal-probe monitor`: schedules, incident rules, Slack, metrics (README: "The monitor"). */
export const monitorSchema = z.strictObject({
  schedules: z.array(monitorScheduleSchema).min(1, { error: 'needs at least one schedule' }),
  /** First ticks are spread over up to this long (or the schedule's interval, if shorter), so journeys do not start together. */
  spread: durationSchema.default(30_000),
  /** Journeys run at once (each tick is one run of one journey in every cell). */
  concurrency: z.number().int().min(1).max(16).default(1),
  /**
   * How ticks run: 'resident' (default) in the monitor's own process, in browsers it keeps
   * between ticks, a fresh context per journey; 'process' starts a Playwright runner per tick,
   * which also writes its HTML report and JUnit (and traces, which always run this way).
   */
  runner: z.enum(['resident', 'process']).default('resident'),
  /** A failing tick is retried at once, failing cells only, before it counts. */
  retryOnFailure: z.boolean().default(true),
  failAfter: z.number().int().min(1).max(100).default(2),
  degradedAfter: z.number().int().min(1).max(100).default(3),
  recoverAfter: z.number().int().min(1).max(100).default(2),
  remindEvery: durationSchema.default(3_600_000),
  maxReminders: z.number().int().min(0).max(1000).default(24),
  flapping: z.strictObject({
    window: z.number().int().min(5).max(100).default(21),
    start: z.number().gt(0).lt(1).default(0.3),
    stop: z.number().gt(0).lt(1).default(0.2),
  }).refine((f) => f.stop < f.start, { error: 'needs "stop" below "start"', path: ['stop'] }).prefault({}),
  maintenance: z.array(maintenanceSchema).default([]),
  slack: z.strictObject({
    webhooks: z.array(slackWebhookSchema).min(1),
    /** Per request; a send that takes longer is retried (it may have reached Slack: at most one duplicate). */
    timeout: durationSchema.default(10_000),
  }).optional(),
  metrics: z.strictObject({
    enabled: z.boolean().default(true),
    /** Bind address: loopback unless you mean otherwise. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9464),
  }).prefault({}),
  /** On SIGTERM/SIGINT, how long the runs under way may take to end before they are killed. */
  stopGrace: durationSchema.default(30_000),
  /** Each tick's results folder (reports, artifacts) is deleted after this many days; the run stays in the store. */
  keepResultsDays: z.number().int().min(1).max(3650).default(14),
});
export type MonitorConfig = z.infer<typeof monitorSchema>;

export const configSchema = z.strictObject({
  portals: z.array(portalSchema).min(1),
  browsers: z.array(z.enum(browserNames)).min(1).default(['chromium', 'firefox', 'webkit']),
  viewports: z.array(viewportSchema).min(1).default(['desktop']),
  /** Per-step time budgets in ms: over budget → "degraded". `default` applies to unlisted steps. */
  budgets: z.record(z.string(), z.number().int().positive()).default({}),
  timeouts: z.strictObject({
    stepMs: z.number().int().min(100).max(600_000).default(15_000),
    journeyMs: z.number().int().min(1000).max(7_200_000).default(120_000),
  }).prefault({}),
  retries: z.number().int().min(0).max(5).default(0),
  workers: z.number().int().min(1).max(32).default(2),
  artifacts: z.strictObject({
    screenshot: z.enum(['off', 'on-failure']).default('on-failure'),
    /** Traces record everything typed, secrets included: off unless you accept that. */
    trace: z.enum(['off', 'on-failure', 'on']).default('off'),
  }).prefault({}),
  outputDir: z.string().min(1).default('.portal-probe/results'),
  /** Connect through an outbound HTTP proxy (the allow-list still applies first). */
  proxy: proxySchema.optional(),
  /** Accept certificates no trusted CA signed (a staging portal with an internal CA), for every portal that does not say otherwise. The transport check still says so (measurement `certificate trusted`). */
  ignoreHTTPSErrors: z.boolean().default(false),
  labels: z.record(z.string(), z.string()).default({}),
  /** The history database: a SQLite file, relative to the working directory (`--store` overrides). */
  store: z.string().min(1).default('.portal-probe/history.db'),
  /** This probe's network location label (`--location` overrides); default: the host name. Baselines are per location. */
  location: z.string().min(1).regex(/^[A-Za-z0-9._:-]+$/, { error: 'may use letters, digits, ".", "_", ":" and "-" only' }).optional(),
  /** What normal looks like, and when a run departs from it (README: "History, baselines and the vendor gate"). */
  history: z.strictObject({
    /** Runs older than this are pruned from the store. */
    retentionDays: z.number().int().min(1).max(3650).default(90),
    /** N: the baseline is the last N passing results of a cell. */
    window: z.number().int().min(5).max(1000).default(20),
    /** k: a step is judged over the last k results (this run and the k − 1 before it). */
    recent: z.number().int().min(5).max(100).default(5),
    /** Significance of the one-sided Mann–Whitney U test. */
    alpha: z.number().gt(0).max(0.2).default(0.01),
    /** How alpha is shared among one result's steps: 'holm' (Holm–Bonferroni over the result's steps) or 'none' (each step at alpha). */
    correction: z.enum(['holm', 'none']).default('holm'),
    /** A regression is at least this much slower, relative to the baseline median … */
    minRelative: z.number().min(0).max(10).default(0.1),
    /** … and at least this many ms. */
    minAbsoluteMs: z.number().min(0).max(600_000).default(150),
    /** … and at least this many of the baseline's robust standard deviations (1.4826 × MAD); 0: the two floors above only. */
    minSpread: z.number().min(0).max(20).default(2),
  }).prefault({}),
  /** The long-running monitor (`portal-probe monitor`); `run` ignores it. */
  monitor: monitorSchema.optional(),
  /** Faults for the embedded demo portal (only used when a portal's baseUrl is "demo"). */
  demo: z.strictObject({
    faults: z.array(z.string()).default([]),
    otpBoxes: z.boolean().default(false),
    https: z.boolean().default(false),
    idleTimeout: durationSchema.optional(),
    absoluteTimeout: durationSchema.optional(),
    /** The single-page flavour refreshes an open tab's session while the user was active this recently. */
    activityWindow: durationSchema.optional(),
    /** How often that refresh runs. */
    refreshEvery: durationSchema.optional(),
    /** Code length of the whole demo portal. */
    totpDigits: z.union([z.literal(6), z.literal(8)]).default(6),
    /** Lifetime of the HTTPS listener's certificate in days (default 365); 0 or less: already expired. */
    certDays: z.number().int().min(-3650).max(3650).optional(),
  }).refine((d) => d.certDays === undefined || d.https, { error: 'needs "https": true: a certificate exists only on the HTTPS listener', path: ['certDays'] }).prefault({}),
}).transform((c) => ({
  ...c,
  // Each portal decides about its own certificates; the top-level value is only the default.
  portals: c.portals.map((p) => ({ ...p, ignoreHTTPSErrors: p.ignoreHTTPSErrors ?? c.ignoreHTTPSErrors })),
}));

export type ProbeConfigInput = z.input<typeof configSchema>;
export type ProbeConfig = z.infer<typeof configSchema>;
export type PortalConfig = ProbeConfig['portals'][number];
