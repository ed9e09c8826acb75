/**
 * `portal-probe init`: writes a starter `portal-probe.config.ts` and an example TypeScript
 * journey into the current folder, then validates them the way `portal-probe validate`
 * does. The starter points at the embedded demo portal, so the very next command
 * (`portal-probe run`) works before anything is adapted; the comments say what to change
 * for a real portal. Existing files are never overwritten.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE_NAMES } from '../config/load.ts';
import { EXIT, HarnessError } from '../core/errors.ts';
import { validateCommand } from './validate.ts';

export const INIT_CONFIG_FILE = 'portal-probe.config.ts';
export const INIT_JOURNEY_FILE = path.join('journeys', 'example.journey.ts');

export const STARTER_CONFIG = `/**
 * portal-probe config, written by \`portal-probe init\`.
 *
 * It points at portal-probe's built-in demo portal, so \`npx portal-probe run\` works right
 * away. To probe your own portal, change the lines marked "YOURS" (the README's "Config
 * reference" lists every key), then run \`npx portal-probe validate\`.
 */
import { defineConfig, env } from 'portal-probe';

export default defineConfig({
  portals: [{
    name: 'my-portal',              // YOURS: names the portal in tables, reports and alerts
    environment: 'demo',            // YOURS: production, staging, test or demo
    baseUrl: 'demo',                // YOURS: e.g. 'https://portal-staging.example.org' ('demo' starts the built-in demo portal)
    allowedHosts: [],               // YOURS: other hosts the sign-in visits (an SSO hop); every other host is refused
    // How the portal checks TOTP codes: the demo portal accepts one 30 s step either side of now.
    totp: { acceptedWindow: 1 },
    // Dedicated test accounts, never a person's. Secrets are references, read at start-up
    // and never written anywhere: env('NAME') is the environment variable NAME (set it in
    // the CI job or the shell), 'file:secrets/md1.totp' a file relative to this config.
    // For the demo portal, portal-probe sets PP_DEMO_<ACCOUNT>_PASSWORD and _TOTP itself.
    accounts: [
      { id: 'dr.rivera', role: 'physician', username: 'dr.rivera',                // YOURS
        password: env('PP_DEMO_DR_RIVERA_PASSWORD'), totpSeed: env('PP_DEMO_DR_RIVERA_TOTP') },
      { id: 'dr.patel', role: 'physician', username: 'dr.patel',                  // YOURS
        password: env('PP_DEMO_DR_PATEL_PASSWORD'), totpSeed: env('PP_DEMO_DR_PATEL_TOTP') },
    ],
    journeys: [
      // A login written as steps: each names what it acts on as a person sees it (a field's
      // label, a button's role and name); the step's name is its column in the results.
      // YOURS: the labels and names your portal's sign-in shows.
      { kind: 'login', name: 'physician login', use: { account: 'dr.rivera' }, steps: [
        { step: 'open', name: 'open', path: '/login', expect: { label: 'Username or NPI' } },
        { step: 'fill', name: 'username', target: { label: 'Username or NPI' }, value: 'username' },
        { step: 'fill', name: 'password', target: { label: 'Password', exact: true }, value: 'password' },
        { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' }, expect: { label: 'Verification code' } },
        { step: 'totp', name: 'TOTP', target: { label: 'Verification code' }, submit: { role: 'button', name: 'Verify' } },
        // Shown once a day; skipped when it does not appear.
        { step: 'interstitial', name: 'acknowledge', when: { role: 'heading', name: 'Daily security acknowledgment' },
          check: [{ label: 'I acknowledge' }], click: { role: 'button', name: 'Continue' } },
        { step: 'assert', name: 'dashboard', target: { role: 'heading', name: 'Dashboard' } },
        { step: 'logout', name: 'sign out', target: { role: 'button', name: 'Sign out' }, expect: { text: 'You have signed out.' } },
      ] },
      // The same sign-in as TypeScript, for flows steps cannot express: see the file.
      { kind: 'script', name: 'example journey', use: { account: 'dr.patel' }, file: 'journeys/example.journey.ts' },
    ],
  }],
  // Browsers to run in (also 'chrome', 'edge', 'webkit'); one this machine lacks is
  // reported "not run", with the reason. \`npx portal-probe browsers\` shows what is here.
  browsers: ['chromium', 'firefox'],
  viewports: ['desktop'],           // also 'android', 'iphone'
  budgets: { default: 5000 },       // ms a step may take before the journey counts as degraded
});
`;

export const EXAMPLE_JOURNEY = `/**
 * An example TypeScript journey, written by \`portal-probe init\`: the demo portal's
 * sign-in, step by step. A journey like this is for what declarative steps cannot say —
 * a search after signing in, a choice that depends on the page.
 *
 * \`probe\` is the journey's session: \`probe.page\` is a Playwright page, \`probe.account\`
 * the account the config gave it (secrets resolved), \`probe.url(path)\` an address on the
 * portal, \`probe.totpCode()\` a fresh code no other browser uses. Wrap each thing a person
 * waits for in \`probe.step(name, …)\`: it is timed, and if it fails, the journey fails at
 * that step with a help-desk category (Authentication, Network, …).
 */
import { defineJourney } from 'portal-probe';

export default defineJourney({
  // Every step, in order, so steps never reached still show in the results.
  steps: ['open', 'sign in', 'code', 'dashboard', 'sign out'],

  async run(probe) {
    const page = probe.page;

    // A step ends on what a person waits for: here, the sign-in form.
    await probe.step('open', async () => {
      await page.goto(probe.url('/login'));
      await page.getByLabel('Username or NPI').waitFor();
    });

    await probe.step('sign in', async () => {
      await page.getByLabel('Username or NPI').fill(probe.account.username);
      await page.getByLabel('Password', { exact: true }).fill(probe.account.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Verification code').waitFor();
    });

    // Waiting for a code no other browser is using is not the portal's time: outside a step.
    const code = await probe.totpCode();
    await probe.step('code', async () => {
      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      // The daily security acknowledgment comes first once a day; otherwise the dashboard.
      const acknowledgment = page.getByRole('heading', { name: 'Daily security acknowledgment' });
      await acknowledgment.or(page.getByRole('heading', { name: 'Dashboard' })).waitFor();
      if (await acknowledgment.isVisible()) {
        await page.getByLabel('I acknowledge').check();
        await page.getByRole('button', { name: 'Continue' }).click();
      }
    });

    await probe.step('dashboard', () => page.getByRole('heading', { name: 'Dashboard' }).waitFor());

    await probe.step('sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You have signed out.').waitFor();
    });
  },
});
`;

/** Whether `import … from 'portal-probe'` resolves from `dir` (installed there, or this checkout itself). */
function resolvesPortalProbe(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'noop.js')).resolve('portal-probe');
    return true;
  } catch {
    return false;
  }
}

export async function initCommand(argv: string[], cwd = process.cwd()): Promise<number> {
  parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  // Another config name would be found before or after the new one: either way one of them would be ignored.
  const exists = (name: string): HarnessError =>
    new HarnessError('USAGE', `${name} already exists in ${cwd}; portal-probe init writes new files only, so edit it or run init in another folder.`);
  for (const name of [...CONFIG_FILE_NAMES, INIT_JOURNEY_FILE]) {
    if (existsSync(path.join(cwd, name))) throw exists(name);
  }
  if (!resolvesPortalProbe(cwd)) {
    throw new HarnessError('USAGE', `portal-probe is not installed in this project (${INIT_CONFIG_FILE} imports it, and "portal-probe" does not resolve from ${cwd}); install it first, e.g. npm install --save-dev ./portal-probe-<version>.tgz.`);
  }
  try {
    mkdirSync(path.join(cwd, path.dirname(INIT_JOURNEY_FILE)), { recursive: true });
  } catch (e) {
    throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot create ${path.dirname(INIT_JOURNEY_FILE)}/ in ${cwd}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { cause: e });
  }
  for (const [name, text] of [[INIT_CONFIG_FILE, STARTER_CONFIG], [INIT_JOURNEY_FILE, EXAMPLE_JOURNEY]] as const) {
    try {
      // 'wx': a file that appeared since the check above is still not overwritten.
      writeFileSync(path.join(cwd, name), text, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(name);
      throw new HarnessError('OUTPUT_UNWRITABLE', `Cannot write ${name} in ${cwd}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { cause: e });
    }
  }
  console.log(`Wrote ${INIT_CONFIG_FILE} and ${INIT_JOURNEY_FILE}.`);
  const code = await validateCommand(['--config', path.join(cwd, INIT_CONFIG_FILE)]);
  if (code !== EXIT.ok) return code;
  console.log(`
Next:
  npx portal-probe run          run both journeys against the built-in demo portal
  npx portal-probe browsers     see which browsers this machine has
Then, for your portal: set baseUrl, the test accounts and the sign-in steps in
${INIT_CONFIG_FILE} (the lines marked YOURS), export the secrets it references
(e.g. PORTAL_MD1_PASSWORD=…) in the shell or CI job, and check it with
  npx portal-probe validate     (runs nothing; every problem is printed with its path)`);
  return EXIT.ok;
}
