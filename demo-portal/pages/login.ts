/**
 * The provider and patient sign-in pages. Journeys are written against these exact labels,
 * ids and roles; the selector-change fault swaps them the way a vendor re-skin does.
 */
import { alert, html, page, status } from './html.ts';
import type { AccountKind } from '../types.ts';

export interface LoginPageOptions {
  flavour: AccountKind;
  error?: string;
  notice?: string;
  /** selector-change fault. */
  selectorChange: boolean;
  /** lookalike-redirect fault: absolute URL the form posts to instead of its own path. */
  actionOverride?: string;
  /** narrow-viewport-break fault: render the cookie banner that covers the form below 480 px. */
  cookieBanner: boolean;
  /** Where /static/engine.js is loaded from: the plain-http fault names the HTTP listener. */
  engineScript?: string;
}

interface FormVocabulary {
  formId: string;
  userId: string;
  userLabel: string;
  passwordId: string;
  passwordLabel: string;
  buttonText: string;
}

function vocabulary(flavour: AccountKind, selectorChange: boolean): FormVocabulary {
  if (selectorChange) {
    return { formId: 'signin-form', userId: 'login-id', userLabel: 'User ID', passwordId: 'passphrase', passwordLabel: 'Passphrase', buttonText: 'Log in' };
  }
  return {
    formId: 'login-form',
    userId: 'username',
    userLabel: flavour === 'provider' ? 'Username or NPI' : 'Username',
    passwordId: 'password',
    passwordLabel: 'Password',
    buttonText: 'Sign in',
  };
}

export function loginPath(flavour: AccountKind): string {
  return flavour === 'provider' ? '/login' : '/patient/login';
}

export function renderLoginPage(opts: LoginPageOptions): string {
  const v = vocabulary(opts.flavour, opts.selectorChange);
  const action = opts.actionOverride ?? loginPath(opts.flavour);
  const heading = opts.flavour === 'provider' ? 'Provider sign in' : 'Patient portal sign in';
  // The username is deliberately not refilled after a failure: unknown users and wrong
  // passwords must get byte-identical answers.
  // The button starts disabled and /static/login.js enables it: real portals depend on their
  // script the same way, and that dependency is what the engine-break fault exploits.
  const body = html`<h1>${heading}</h1>
${status(opts.notice, 'login-status')}
${alert(opts.error, 'login-error')}
<form id="${v.formId}" class="login" data-login method="post" action="${action}">
  <div class="field"><label for="${v.userId}">${v.userLabel}</label><input id="${v.userId}" name="username" autocomplete="username"></div>
  <div class="field"><label for="${v.passwordId}">${v.passwordLabel}</label><input id="${v.passwordId}" name="password" type="password" autocomplete="current-password"></div>
  <button id="sign-in" type="submit" disabled>${v.buttonText}</button>
</form>
<p class="links"><a href="/forgot-password">Forgot password?</a></p>
${opts.cookieBanner && html`<div class="cookie-banner" role="dialog" aria-label="Cookie notice"><p>We use cookies to keep you signed in and to improve this portal. By continuing you accept our cookie policy.</p></div>`}`;
  return page({ title: heading, body, scripts: [opts.engineScript ?? '/static/engine.js', '/static/login.js'] });
}

export interface MfaPageOptions {
  boxes: boolean;
  /** The totpDigits option: the field's maxlength, the number of boxes and the instruction follow it. */
  digits: number;
  error?: string;
}

export function renderMfaPage(opts: MfaPageOptions): string {
  const n = opts.digits;
  const positions = Array.from({ length: n }, (_, i) => i + 1);
  const field = opts.boxes
    ? html`<fieldset class="otp-boxes"><legend>Verification code</legend>
    ${positions.map((p) => html`<input class="otp-box" inputmode="numeric" maxlength="1" autocomplete="${p === 1 ? 'one-time-code' : 'off'}" aria-label="Digit ${p} of ${n}">`)}
    <input type="hidden" name="otp" id="otp">
  </fieldset>`
    : html`<div class="field"><label for="otp">Verification code</label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="${n}"></div>`;
  const body = html`<h1>Two-step verification</h1>
<p>Enter the ${n}-digit code from your authenticator app.</p>
${alert(opts.error, 'mfa-error')}
<form id="mfa-form" method="post" action="/mfa">
  ${field}
  <button type="submit">Verify</button>
</form>`;
  return page({ title: 'Two-step verification', body, scripts: opts.boxes ? ['/static/mfa.js'] : [] });
}
