/**
 * The embedded demo config: what `npm start` runs when no portal-probe.config.ts is
 * present. The demo portal is started by portal-probe itself ("baseUrl: demo") and its
 * generated credentials reach the journeys through the same env: references a real
 * portal's would.
 */
import type { ProbeConfigInput, JourneyStep } from './schema.ts';

/** The env var that carries a demo account's secret, e.g. PP_DEMO_DR_RIVERA_PASSWORD. */
export function demoEnvName(accountId: string, what: 'PASSWORD' | 'TOTP'): string {
  return `PP_DEMO_${accountId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;
}

function account(id: string, role: string, pool?: string, npi?: string): NonNullable<ProbeConfigInput['portals'][number]['accounts']>[number] {
  return {
    id, role, username: id, ...(npi ? { npi } : {}), ...(pool ? { pool } : {}),
    password: `env:${demoEnvName(id, 'PASSWORD')}`, totpSeed: `env:${demoEnvName(id, 'TOTP')}`,
  };
}

/** The provider login as a vendor portal presents it; `user` is username or NPI. */
export function providerLoginSteps(user: 'username' | 'npi', landing: string): JourneyStep[] {
  return [
    { step: 'open', name: 'open', path: '/login', expect: { label: 'Username or NPI' } },
    { step: 'fill', name: user === 'npi' ? 'NPI' : 'username', target: { label: 'Username or NPI' }, value: user },
    { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
    { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' }, expect: { label: 'Verification code' } },
    { step: 'totp', name: 'TOTP', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Verify' } },
    {
      step: 'interstitial', name: 'acknowledge', when: { role: 'heading', name: 'Daily security acknowledgment' }, waitMs: 0,
      check: [{ label: 'I acknowledge' }], click: { role: 'button', name: 'Continue' },
    },
    { step: 'assert', name: 'dashboard', target: { role: 'heading', name: landing } },
    { step: 'logout', name: 'sign out', target: { role: 'button', name: 'Sign out' }, expect: { text: 'You have signed out.' } },
  ];
}

/**
 * The same sign-in on the demo portal's single-page flavour (/app): one form whose code
 * field appears in place, the same Continue button twice, client-side routing, and a
 * sign-out behind the account menu and a confirm dialog. Written in config only.
 */
export function spaLoginSteps(landing = 'Dashboard'): JourneyStep[] {
  return [
    { step: 'open', name: 'open', path: '/app/login', expect: { label: 'Email or username' } },
    { step: 'fill', name: 'username', target: { label: 'Email or username' }, value: 'username' },
    { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
    { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Continue' }, expect: { label: 'Verification code' } },
    { step: 'totp', name: 'TOTP', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Continue' } },
    {
      step: 'interstitial', name: 'acknowledge', when: { role: 'heading', name: 'Daily security acknowledgment' }, waitMs: 0,
      check: [{ label: 'I acknowledge' }], click: { role: 'button', name: 'Continue' },
    },
    { step: 'assert', name: 'dashboard', target: { role: 'heading', name: landing } },
    {
      step: 'logout', name: 'sign out',
      actions: [{ hover: { role: 'button', name: 'Account' } }, { click: { role: 'menuitem', name: 'Sign out' } }, { click: { role: 'button', name: 'Yes, sign out' } }],
      expect: { text: 'You have signed out.' },
    },
  ];
}

/**
 * The single-page sign-in embedded in an <iframe> (/app/embedded): every sign-in step acts
 * in the frame; once signed in, the app loads the dashboard in the top window.
 */
export function embeddedLoginSteps(landing = 'Dashboard'): JourneyStep[] {
  const frame = { css: 'iframe[title="Sign in"]' };
  return spaLoginSteps(landing).map((s): JourneyStep => {
    if (s.step === 'open') return { ...s, path: '/app/embedded', frame };
    return s.step === 'fill' || s.step === 'submit' || s.step === 'totp' || s.step === 'interstitial' ? { ...s, frame } : s;
  });
}

export function patientLoginSteps(): JourneyStep[] {
  return [
    { step: 'open', name: 'open', path: '/patient/login', expect: { label: 'Username' } },
    { step: 'fill', name: 'username', target: { label: 'Username' }, value: 'username' },
    { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
    { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' }, expect: { label: 'Verification code' } },
    { step: 'totp', name: 'TOTP', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Verify' } },
    { step: 'assert', name: 'dashboard', target: { role: 'heading', name: 'Messages' } },
    { step: 'logout', name: 'sign out', target: { role: 'button', name: 'Sign out' }, expect: { text: 'You have signed out.' } },
  ];
}

export const demoConfig = {
  portals: [
    {
      name: 'demo-provider',
      environment: 'demo',
      baseUrl: 'demo',
      // The demo portal accepts ±1 step, as RFC 6238 recommends; unknown portals default to 0.
      totp: { acceptedWindow: 1, minRemainingMs: 3000 },
      accounts: [
        account('dr.rivera', 'physician', 'physicians', '1234567893'),
        account('dr.patel', 'physician', 'physicians'),
        account('dr.kim', 'physician', 'physicians'),
        account('dr.okoye', 'physician', 'physicians'),
        account('billing.chen', 'billing'),
      ],
      journeys: [
        { kind: 'login', name: 'physician login', use: { pool: 'physicians' }, steps: providerLoginSteps('username', 'Dashboard') },
        { kind: 'login', name: 'billing login', use: { account: 'billing.chen' }, steps: providerLoginSteps('username', 'Claims') },
        // Quick session and security checks (the idle/absolute ones take 30 min and 12 h on this portal).
        ...(['logout-ends-session', 'session-rotation', 'cookie-policy', 'cache-policy', 'totp-single-use', 'transport'] as const).map((kind) => ({
          kind, name: kind, use: { pool: 'physicians' }, login: 'physician login', probePath: '/dashboard',
        })),
        // Each role with its own accounts and login: what it must open, and what it must be refused.
        {
          kind: 'role-access', name: 'role-access', roles: [
            { role: 'physician', use: { pool: 'physicians' }, login: 'physician login', allow: ['/dashboard', '/labs'], deny: ['/claims'] },
            { role: 'billing', use: { account: 'billing.chen' }, login: 'billing login', allow: ['/dashboard', '/claims'], deny: ['/labs'] },
          ],
        },
      ],
    },
    {
      // The same portal's single-page flavour (/app): the harness is not told which is which.
      name: 'demo-spa',
      environment: 'demo',
      baseUrl: 'demo',
      totp: { acceptedWindow: 1, minRemainingMs: 3000 },
      accounts: ['dr.nguyen', 'dr.haddad', 'dr.silva', 'dr.larsen'].map((id) => account(id, 'physician', 'physicians')),
      journeys: [
        { kind: 'login', name: 'physician login', use: { pool: 'physicians' }, steps: spaLoginSteps('Dashboard') },
        // Its signed-in pages are one shell for everyone: the API says who is signed in.
        ...(['logout-ends-session', 'session-rotation', 'cookie-policy', 'cache-policy', 'totp-single-use', 'transport'] as const).map((kind) => ({
          kind, name: kind, use: { pool: 'physicians' }, login: 'physician login', probePath: '/api/app/me',
        })),
      ],
    },
    {
      name: 'demo-patient',
      environment: 'demo',
      baseUrl: 'demo',
      totp: { acceptedWindow: 1, minRemainingMs: 3000 },
      accounts: [account('pat.okafor', 'patient')],
      journeys: [{ kind: 'login', name: 'patient login', use: { account: 'pat.okafor' }, steps: patientLoginSteps() }],
    },
  ],
  browsers: ['chromium', 'firefox', 'webkit', 'chrome', 'edge'],
  viewports: ['desktop', 'android', 'iphone'],
  budgets: { default: 5000 },
  timeouts: { stepMs: 10_000, journeyMs: 90_000 },
  workers: 2,
  labels: { target: 'embedded demo portal' },
  // `portal-probe monitor` on the demo portal: every login journey every 5 minutes (no Slack configured: incidents go to the log and the metrics).
  monitor: { schedules: [{ every: '5m' }] },
} satisfies ProbeConfigInput;
