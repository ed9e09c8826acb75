/**
 * Example: `portal-probe monitor` for a health system's two portals — the clinicians'
 * provider portal (server-rendered, SSO hop, daily acknowledgment) and the patients'
 * single-page portal. Copy it to `portal-probe.config.ts` and adjust.
 *
 * - Both logins every 5 minutes in Chromium and Firefox on desktop, and Chromium on a phone.
 * - Two long checks once a night, by cron in the hospital's time zone: the absolute session
 *   limit (8 hours of waiting) and the transport check (HTTPS, certificate expiry).
 * - A one-off maintenance window (the vendor's upgrade) and a recurring one (the Sunday
 *   patch window): runs go on and are recorded, nothing is posted.
 * - Slack: critical incidents of both portals to the on-call channel; everything about the
 *   patient portal to the patient-access team.
 *
 * Secrets are references: the test accounts' passwords and TOTP seeds, and the webhook URLs
 * (a webhook URL is a credential: whoever has it can post to the channel). README: "The monitor".
 */
import { defineConfig } from '../define-config.ts';

const physician = (n: number, npi: string) => ({
  id: `probe-md-${n}`,
  role: 'physician',
  username: `probe.md${n}`,
  npi,
  password: `env:PP_PROVIDER_MD${n}_PASSWORD`,
  totpSeed: `env:PP_PROVIDER_MD${n}_TOTP_SEED`,
  pool: 'md',
});

const patient = (n: number) => ({
  id: `probe-patient-${n}`,
  role: 'patient',
  username: `probe.patient${n}@example.org`,
  password: `env:PP_MYCHART_PATIENT${n}_PASSWORD`,
  totpSeed: `env:PP_MYCHART_PATIENT${n}_TOTP_SEED`,
  pool: 'patients',
});

export default defineConfig({
  portals: [
    {
      name: 'provider-portal',
      environment: 'production',
      baseUrl: 'https://provider.example-health.org',
      allowedHosts: ['sso.example-health.org'],
      totp: { acceptedWindow: 0 },
      // Three accounts: a 5-minute login in three cells and the nightly checks never wait long for a fresh code.
      accounts: [physician(1, '1234567893'), physician(2, '1245319599'), physician(3, '1679576722')],
      journeys: [
        {
          kind: 'login', name: 'physician login', use: { pool: 'md' },
          steps: [
            { step: 'open', name: 'open', path: '/login', expect: { label: 'Username or NPI' } },
            { step: 'fill', name: 'username', target: { label: 'Username or NPI' }, value: 'username' },
            { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
            { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' }, expect: { label: 'Verification code' } },
            { step: 'totp', name: 'TOTP', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Verify' } },
            {
              step: 'interstitial', name: 'acknowledge', when: { role: 'heading', name: 'Daily security acknowledgment' },
              check: [{ label: 'I acknowledge' }], click: { role: 'button', name: 'Continue' },
            },
            { step: 'assert', name: 'dashboard', target: { role: 'heading', name: 'Dashboard' } },
            { step: 'logout', name: 'sign out', target: { role: 'button', name: 'Sign out' }, expect: { text: 'You have signed out.' } },
          ],
        },
        // Kept active every 10 minutes, the session must end at 8 hours (± 10 minutes): a long check, run nightly.
        {
          kind: 'absolute-expiry', name: 'absolute session limit', use: { pool: 'md' }, login: 'physician login',
          probePath: '/dashboard', expected: '8h', tolerance: '10m', keepAliveEvery: '10m',
        },
        // HTTPS everywhere, the sign-in ends on an allowed host, and the certificate's days left (a metric).
        { kind: 'transport', name: 'transport', use: { pool: 'md' }, login: 'physician login', probePath: '/dashboard', certWarnDays: 21 },
      ],
    },
    {
      name: 'mychart',
      environment: 'production',
      baseUrl: 'https://mychart.example-health.org',
      allowedHosts: ['login.example-health.org'],
      totp: { acceptedWindow: 0 },
      phiSelectors: ['.patient-name', '[data-field="mrn"]', '.message-preview'],
      errorLocator: { css: '.toast--error' },
      backgroundRequests: ['**/collect?*', '**/api/messages/poll*'],
      accounts: [patient(1), patient(2), patient(3)],
      journeys: [
        {
          kind: 'login', name: 'patient login', use: { pool: 'patients' },
          steps: [
            { step: 'open', name: 'open', path: '/app/login', expect: { label: 'Email or username' } },
            { step: 'fill', name: 'email', target: { label: 'Email or username' }, value: 'username' },
            { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
            { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Continue' }, expect: { label: 'Verification code' } },
            {
              step: 'totp', name: 'code', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Continue' },
              expect: { url: '**/app/dashboard', response: { url: '**/api/app/dashboard', status: 200 } },
            },
            { step: 'assert', name: 'home', target: { role: 'heading', name: 'Messages' } },
            {
              step: 'logout', name: 'sign out',
              actions: [
                { hover: { role: 'button', name: 'Account' } },
                { click: { role: 'menuitem', name: 'Sign out' } },
                { click: { role: 'button', name: 'Yes, sign out' } },
              ],
              expect: { text: 'You have signed out.' },
            },
          ],
        },
      ],
    },
  ],
  // Every cell is a browser window per tick: keep the monitor's matrix to what clinicians and patients use.
  browsers: ['chromium', 'firefox'],
  viewports: ['desktop', 'android'],
  budgets: { 'sign in': 4000, TOTP: 4000, code: 4000, default: 6000 },
  timeouts: { stepMs: 20_000, journeyMs: 120_000 },
  // The monitor retries a failing tick's failing cells itself (monitor.retryOnFailure): no Playwright retries on top.
  retries: 0,
  workers: 2,
  store: '.portal-probe/history.db',
  location: 'dc-east',
  labels: { team: 'ehr-access' },
  monitor: {
    schedules: [
      // Every login and script journey of each portal (checks are never picked unless named).
      { portal: 'provider-portal', every: '5m' },
      { portal: 'mychart', every: '5m' },
      // The long checks: once a night, in the hospital's time zone (croner follows daylight saving time).
      { portal: 'provider-portal', journeys: ['absolute session limit', 'transport'], cron: '0 2 * * *', timezone: 'America/Chicago' },
    ],
    // The absolute-expiry check holds a slot for 8 hours: leave room for the 5-minute logins beside it.
    concurrency: 3,
    spread: '30s',
    retryOnFailure: true,
    failAfter: 2,
    degradedAfter: 3,
    recoverAfter: 2,
    remindEvery: '1h',
    maxReminders: 24,
    maintenance: [
      // The vendor's upgrade weekend: one-off, in UTC.
      { portal: 'provider-portal', from: '2027-01-16T05:00:00Z', to: '2027-01-16T11:00:00Z' },
      // The Sunday patch window, 01:00–03:00 local time, every week.
      { portal: 'mychart', cron: '0 1 * * 0', duration: '2h', timezone: 'America/Chicago' },
    ],
    slack: {
      webhooks: [
        // From an EnvironmentFile (systemd) or the container's environment.
        { name: 'ehr-oncall', url: 'env:PP_SLACK_EHR_ONCALL', severities: ['critical'] },
        // From a systemd credential (LoadCredential=slack-patient-access:…).
        { name: 'patient-access', url: 'file:/run/credentials/portal-probe-monitor.service/slack-patient-access', portals: ['mychart'] },
      ],
      timeout: '10s',
    },
    // Loopback: Prometheus on the same host. The Containerfile sets PP_METRICS_HOST=0.0.0.0, since a
    // container's loopback is its own; publish the port there to the host's loopback only.
    metrics: { host: process.env.PP_METRICS_HOST ?? '127.0.0.1', port: 9464 },
    stopGrace: '30s',
  },
});
