/**
 * Example: a payer's provider portal (vendor-hosted) with an NPI + user ID + password
 * login, a TOTP second factor, and a daily attestation page that appears once per day
 * per user. Copy it to `portal-probe.config.ts` in your project and adjust.
 *
 * Three test accounts form the "front-desk" pool. The journey rotates through them so
 * one account's TOTP code is never reused within its period and a single locked account
 * degrades the check instead of failing every run.
 *
 * Secrets are `env:` references: set them in the CI job or a .env loader, never here.
 * real-portal.config.json is the same config, for people who generate configs.
 */
import { defineConfig } from '../define-config.ts';

const frontDesk = (n: number, npi: string) => ({
  id: `front-desk-${n}`,
  role: 'front-desk',
  username: `probe.frontdesk${n}`,
  npi,
  password: `env:PP_PAYER_FRONTDESK${n}_PASSWORD`,
  totpSeed: `env:PP_PAYER_FRONTDESK${n}_TOTP_SEED`,
  pool: 'front-desk',
});

export default defineConfig({
  portals: [
    {
      name: 'payer-provider-portal',
      environment: 'production',
      baseUrl: 'https://provider.payer.example',
      // The login form posts to the vendor's identity provider and redirects back.
      allowedHosts: ['sso.payer-idp.example'],
      totp: { periodSeconds: 30, digits: 6, algorithm: 'sha1', acceptedWindow: 0, minRemainingMs: 5000 },
      accounts: [frontDesk(1, '1234567893'), frontDesk(2, '1245319599'), frontDesk(3, '1679576722')],
      journeys: [
        {
          kind: 'login',
          name: 'provider-login',
          use: { pool: 'front-desk' },
          steps: [
            { step: 'open', name: 'open login', path: '/login', expect: { label: 'NPI' } },
            { step: 'fill', target: { label: 'NPI' }, value: 'npi' },
            { step: 'fill', target: { label: 'User ID' }, value: 'username' },
            { step: 'fill', target: { label: 'Password' }, value: 'password' },
            { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' }, expect: { label: 'Verification code' } },
            { step: 'totp', name: 'verify code', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Verify' } },
            {
              step: 'interstitial',
              name: 'daily acknowledgment',
              // Shown on the first login of the day only; skipped when absent after 3 s.
              when: { role: 'heading', name: 'Daily attestation' },
              waitMs: 3000,
              check: [{ label: 'I acknowledge the terms of use and HIPAA notice' }],
              click: { role: 'button', name: 'Continue' },
            },
            { step: 'assert', name: 'dashboard', target: { role: 'heading', name: 'Provider dashboard' } },
            { step: 'logout', name: 'sign out', target: { role: 'button', name: 'Sign out' }, expect: { text: 'You have signed out' } },
          ],
        },
      ],
    },
  ],
  browsers: ['chrome', 'edge', 'firefox', 'webkit'],
  viewports: ['desktop', 'android', 'iphone'],
  // Over budget is "degraded", not "failed": slow but working is a different page at 3 a.m.
  budgets: { default: 8000, 'open login': 3000, 'sign in': 5000, 'verify code': 4000, 'daily acknowledgment': 3000, dashboard: 4000 },
  timeouts: { stepMs: 20_000, journeyMs: 120_000 },
  retries: 1,
  workers: 4,
  // Traces would capture the typed password and TOTP code; screenshots only on failure.
  artifacts: { screenshot: 'on-failure', trace: 'off' },
  outputDir: '.portal-probe/results',
  labels: { vendorVersion: '2025.2', team: 'patient-access' },
  // Inside a network that reaches the portal only through an outbound proxy:
  // proxy: { server: 'http://proxy.example.org:3128', bypass: ['.internal.example.org'], username: 'probe-svc', password: 'env:PROXY_PASSWORD' },
});
