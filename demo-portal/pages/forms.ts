/**
 * The smaller interstitial and recovery forms: daily acknowledgment, the extra-step notice,
 * password reset and patient activation. Labels are part of the journeys' contract.
 */
import { alert, html, page, status } from './html.ts';

export function renderAcknowledge(error?: string): string {
  const body = html`<h1>Daily security acknowledgment</h1>
<p>Patient information in this portal is protected by law. Review our privacy practices before you continue.</p>
${alert(error, 'ack-error')}
<form method="post" action="/acknowledge">
  <div class="check"><input type="checkbox" id="ack" name="ack"><label for="ack">I acknowledge that I will protect patient information</label></div>
  <button type="submit">Continue</button>
</form>`;
  return page({ title: 'Daily security acknowledgment', body, signedIn: true });
}

export function renderNotice(): string {
  const body = html`<h1>Updated terms of use</h1>
<p>We have updated our terms of use. Please review and accept them to continue.</p>
<form method="post" action="/notice">
  <button type="submit">I agree</button>
</form>`;
  return page({ title: 'Updated terms of use', body, signedIn: true });
}

export function renderForgotPassword(notice?: string): string {
  const body = html`<h1>Reset your password</h1>
${status(notice, 'forgot-status')}
<form method="post" action="/forgot-password">
  <div class="field"><label for="username">Username</label><input id="username" name="username" autocomplete="username"></div>
  <button type="submit">Send reset link</button>
</form>
<p class="links"><a href="/login">Back to sign in</a></p>`;
  return page({ title: 'Reset your password', body });
}

export function renderResetPassword(token: string, error?: string): string {
  const body = html`<h1>Choose a new password</h1>
${alert(error, 'reset-error')}
<form method="post" action="/reset-password/${encodeURIComponent(token)}">
  <div class="field"><label for="new-password">New password</label><input id="new-password" name="password" type="password" autocomplete="new-password"></div>
  <button type="submit">Set password</button>
</form>`;
  return page({ title: 'Choose a new password', body });
}

export interface ActivationValues {
  firstName?: string;
  lastName?: string;
  dob?: string;
}

export function renderActivate(token: string, values: ActivationValues = {}, error?: string): string {
  const body = html`<h1>Activate your account</h1>
<p>Confirm who you are exactly as your care team registered you.</p>
${alert(error, 'activate-error')}
<form method="post" action="/patient/activate/${encodeURIComponent(token)}">
  <div class="field"><label for="first-name">First name</label><input id="first-name" name="firstName" autocomplete="given-name" value="${values.firstName ?? ''}"></div>
  <div class="field"><label for="last-name">Last name</label><input id="last-name" name="lastName" autocomplete="family-name" value="${values.lastName ?? ''}"></div>
  <div class="field"><label for="dob">Date of birth</label><input id="dob" name="dob" type="date" autocomplete="bday" value="${values.dob ?? ''}"></div>
  <div class="field"><label for="new-password">Create password</label><input id="new-password" name="password" type="password" autocomplete="new-password"></div>
  <button type="submit">Activate</button>
</form>`;
  return page({ title: 'Activate your account', body });
}

/** A dead end with one message, e.g. an expired or already-used link. */
export function renderMessagePage(title: string, message: string, link?: { href: string; text: string }): string {
  const body = html`<h1>${title}</h1>
${alert(message)}
${link && html`<p class="links"><a href="${link.href}">${link.text}</a></p>`}`;
  return page({ title, body });
}
