/** BARE_LOGINS tests, test i signs in with account i mod length (see playwright.config.ts). */
import { test } from '@playwright/test';
import { bareLogin, readAccounts } from '../bare-journey.ts';

const { BARE_URL: baseUrl, BARE_ACCOUNTS: file, BARE_LOGINS: logins } = process.env;
if (!baseUrl || !file || !logins) throw new Error('bare.spec.ts needs BARE_URL, BARE_ACCOUNTS and BARE_LOGINS');
const accounts = readAccounts(file);

for (let i = 0; i < Number(logins); i++) {
  test(`login ${i + 1}`, async ({ page }) => {
    const account = accounts[i % accounts.length];
    if (!account) throw new Error('no account');
    await bareLogin(page, baseUrl, account);
  });
}
