/**
 * fillSecret, the one way the harness types a password or a code, in real Chromium and
 * Firefox: the value lands in the located field (and only there) with the events typing
 * produces, whether the field keeps the focus, loses it to a page script, sits in a frame
 * or in a shadow root, or is one of six auto-advancing code boxes; a field that never
 * becomes editable is an error, not a value typed somewhere else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from '@playwright/test';
import { launcher } from '../helpers/browsers.ts';
import { fillSecret } from '../../fixtures/locators.ts';

const SECRET = `Canary-${Math.random().toString(36).slice(2)}-Pw!`;

const PAGE = `<!doctype html><title>t</title>
<label>User <input id="user" autocomplete="username"></label>
<label>Password <input id="pw" type="password"></label>
<label>Stolen <input id="stolen" type="password"></label>
<label>Decoy <input id="decoy"></label>
<label>Locked <input id="locked" type="password" disabled></label>
<fieldset id="boxes">${Array.from({ length: 6 }, (_, i) => `<input class="box" maxlength="1" aria-label="Digit ${i + 1}">`).join('')}</fieldset>
<pp-secret></pp-secret>
<iframe srcdoc="<label>Framed <input id=framed type=password></label>"></iframe>
<script>(() => {
  // setContent reuses the window: no top-level declarations.
  window.seen = [];
  const pw = document.getElementById('pw');
  for (const t of ['input', 'change']) pw.addEventListener(t, () => window.seen.push(t + ':' + pw.value.length));
  // A script that takes the focus away from the field as soon as it gets it.
  document.getElementById('stolen').addEventListener('focus', () => document.getElementById('decoy').focus());
  const boxes = [...document.querySelectorAll('.box')];
  boxes.forEach((b, i) => b.addEventListener('input', () => { if (b.value && boxes[i + 1]) boxes[i + 1].focus(); }));
  if (!customElements.get('pp-secret')) customElements.define('pp-secret', class extends HTMLElement {
    connectedCallback() { if (!this.shadowRoot) this.attachShadow({ mode: 'open' }).innerHTML = '<label>Shadow <input id="shadowed" type="password"></label>'; }
  });
})();</script>`;

const engines: [string, () => Promise<Browser>][] = [['chromium', launcher('chromium').launch], ['firefox', launcher('firefox').launch]];

for (const [engine, launch] of engines) {
  describe(`fillSecret in ${engine}`, () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await launch();
      page = await (await browser.newContext()).newPage();
    });
    after(async () => {
      await browser.close();
    });

    const value = (sel: string): Promise<string> => page.locator(sel).inputValue();

    test('sets a focused field with the input and change events, and touches no other field', async () => {
      await page.setContent(PAGE);
      await page.locator('#user').fill('someone');
      await fillSecret(page.getByLabel('Password', { exact: true }), SECRET, 5000);
      assert.equal(await value('#pw'), SECRET);
      assert.equal(await value('#user'), 'someone');
      const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
      assert.deepEqual(seen.slice(-2), [`input:${SECRET.length}`, `change:${SECRET.length}`]);
    });

    test('a page script that moves the focus away does not get the secret typed into the wrong field', async () => {
      await page.setContent(PAGE);
      await fillSecret(page.locator('#stolen'), SECRET, 5000);
      assert.equal(await value('#stolen'), SECRET);
      assert.equal(await value('#decoy'), '');
    });

    test('a field inside a frame and one inside a shadow root are filled', async () => {
      await page.setContent(PAGE);
      await fillSecret(page.frameLocator('iframe').getByLabel('Framed'), SECRET, 5000);
      assert.equal(await page.frameLocator('iframe').locator('#framed').inputValue(), SECRET);
      await fillSecret(page.getByLabel('Shadow'), SECRET, 5000);
      assert.equal(await value('#shadowed'), SECRET);
    });

    test('six auto-advancing code boxes each get their digit', async () => {
      await page.setContent(PAGE);
      const code = '492817';
      const boxes = page.locator('.box');
      for (let d = 0; d < 6; d++) await fillSecret(boxes.nth(d), code[d] ?? '', 5000);
      assert.deepEqual(await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), code.split(''));
    });

    test('a field that never becomes editable fails the fill and leaves the focused field alone', async () => {
      await page.setContent(PAGE);
      await page.locator('#user').fill('someone');
      await assert.rejects(fillSecret(page.locator('#locked'), SECRET, 500), /Timeout|not enabled|disabled/i);
      assert.equal(await value('#user'), 'someone');
      assert.equal(await value('#locked'), '');
    });
  });
}
