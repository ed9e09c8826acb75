/**
 * Example: a single-page patient portal (React/Vue/Angular, or an identity provider's
 * sign-in widget). Nothing loads a new page: the email and password go by fetch, the
 * code field appears in the same form after the first Continue, the app routes with
 * history.pushState, errors appear in place, a timer refreshes the session while the tab
 * is open, and sign-out hides behind an account menu and a confirm dialog.
 *
 * Every action step says what it waits for (`expect`), since there is no page load to
 * wait for; the sign-out is one step of three actions; the session checks probe an API
 * path (the app's shell is served to everyone, so only the API knows who is signed in).
 */
import { defineConfig } from '../define-config.ts';

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
      name: 'patient-portal-spa',
      environment: 'staging',
      baseUrl: 'https://mychart-staging.example.org',
      allowedHosts: ['login.example.org'],
      totp: { acceptedWindow: 0 },
      // The app marks nothing as patient data: name the regions that hold it.
      phiSelectors: ['.patient-name', '[data-field="mrn"]', '.message-preview'],
      // Its error toasts are neither role=alert nor aria-live=assertive.
      errorLocator: { css: '.toast--error' },
      // Calls no step should wait for: analytics, and the app's long poll for new messages.
      backgroundRequests: ['**/collect?*', '**/api/messages/poll*'],
      accounts: [patient(1), patient(2), patient(3)],
      journeys: [
        {
          kind: 'login', name: 'patient login', use: { pool: 'patients' },
          steps: [
            { step: 'open', name: 'open', path: '/app/login', expect: { label: 'Email or username' } },
            { step: 'fill', name: 'email', target: { label: 'Email or username' }, value: 'username' },
            { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
            // The credential submit: the first submit step. The same button submits the code below.
            { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Continue' }, expect: { label: 'Verification code' } },
            {
              step: 'totp', name: 'code', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Continue' },
              // Routed client-side: the address changes and the app's data call answers.
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
              expect: [{ text: 'You have signed out.' }, { hidden: { role: 'button', name: 'Account' } }],
            },
          ],
        },
        // The API answers 401 once the session is gone; each probe is activity.
        { kind: 'logout-ends-session', name: 'logout ends session', use: { pool: 'patients' }, login: 'patient login', probePath: '/api/app/me' },
        { kind: 'totp-single-use', name: 'code single use', use: { pool: 'patients' }, login: 'patient login', probePath: '/api/app/me' },
        { kind: 'cache-policy', name: 'no caching', use: { pool: 'patients' }, login: 'patient login', probePath: '/api/app/me' },
        {
          kind: 'idle-expiry', name: 'idle timeout', use: { pool: 'patients' }, login: 'patient login', probePath: '/api/app/me',
          // The open tab refreshes the session while the user was recently active: measure
          // what a person who walks away gets (tab-open), or set 'tab-closed'.
          expected: '15m', mode: 'measure', idle: 'tab-open',
        },
      ],
    },
  ],
  browsers: ['chromium', 'firefox', 'webkit'],
  viewports: ['desktop', 'iphone'],
  budgets: { 'sign in': 3000, code: 3000, default: 5000 },
  labels: { vendorVersion: '2026.4' },
});
