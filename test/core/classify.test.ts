/**
 * The failure taxonomy, as pure code: each piece of evidence a failed step can leave maps to
 * one category and cause, with an action that names what the evidence names (a host, a
 * status, a request). Where two signals are present at once, the order classify() checks them
 * in decides; the precedence tests pin that order, so reordering its branches fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORY_LABEL, classify, type Category, type Classification, type FailureEvidence } from '../../core/classify.ts';

/** A failed step with no signal at all: a plain wait timeout, nothing seen on the network or page. */
function evidence(over: Partial<FailureEvidence> = {}): FailureEvidence {
  return {
    step: 'submit credentials',
    errorMessage: 'locator.waitFor: Timeout 10000ms exceeded.',
    pageErrors: [],
    blockedHosts: [],
    navigationErrors: [],
    mfaStep: false,
    ...over,
  };
}

/** Checks the category and cause, and that the action is a sentence someone can act on. */
function expectClass(c: Classification, category: Category, cause: string): void {
  assert.equal(c.category, category, `category of ${JSON.stringify(c)}`);
  assert.equal(c.cause, cause, `cause of ${JSON.stringify(c)}`);
  assert.match(c.action, /^[A-Z].{20,}\.$/s, `action of ${cause} is a sentence: ${c.action}`);
}

test('with no signal at all, the failure is a page that changed', () => {
  expectClass(classify(evidence()), 'browser-device', 'page-changed');
  assert.match(classify(evidence()).action, /screenshot/);
});

test('CATEGORY_LABEL gives every category the label alerts print', () => {
  assert.deepEqual(CATEGORY_LABEL, {
    authentication: 'Authentication',
    'browser-device': 'Browser/device',
    network: 'Network',
    permissions: 'Permissions',
    backend: 'Backend/integration',
    identity: 'Identity',
  });
});

// ---- network ----

test('a journey sent to a host off the allow-list is host-not-allowed, naming the first such host', () => {
  const c = classify(evidence({ blockedHosts: ['login-portal.localhost', 'cdn.other.example'] }));
  expectClass(c, 'network', 'host-not-allowed');
  assert.match(c.action, /login-portal\.localhost/);
  assert.doesNotMatch(c.action, /cdn\.other\.example/);
  assert.match(c.action, /allowedHosts/);
});

test('a proxy that refuses with 407 is proxy-auth, quoting the proxy reason', () => {
  const c = classify(evidence({ proxyErrors: ['proxy answered 407 Proxy Authentication Required'] }));
  expectClass(c, 'network', 'proxy-auth');
  assert.match(c.action, /\(proxy answered 407 Proxy Authentication Required\)/);
  assert.match(c.action, /proxy\.username and proxy\.password/);
});

test('any other proxy failure is proxy, quoting the reason and pointing at proxy.server', () => {
  const c = classify(evidence({ proxyErrors: ['proxy answered 502 Bad Gateway'] }));
  expectClass(c, 'network', 'proxy');
  assert.match(c.action, /\(proxy answered 502 Bad Gateway\)/);
  assert.match(c.action, /proxy\.server/);
});

test('407 counts as proxy-auth only as a whole number, not inside a port or another number', () => {
  expectClass(classify(evidence({ proxyErrors: ['connect ECONNREFUSED 10.0.0.1:14071'] })), 'network', 'proxy');
  expectClass(classify(evidence({ proxyErrors: ['status 407'] })), 'network', 'proxy-auth');
});

test('only the first proxy error is read', () => {
  const c = classify(evidence({ proxyErrors: ['connect ETIMEDOUT', 'proxy answered 407'] }));
  expectClass(c, 'network', 'proxy');
  assert.match(c.action, /ETIMEDOUT/);
  assert.doesNotMatch(c.action, /407/);
});

test('an empty or missing list of proxy errors is no proxy failure', () => {
  expectClass(classify(evidence({ proxyErrors: [] })), 'browser-device', 'page-changed');
  expectClass(classify(evidence({ proxyErrors: undefined })), 'browser-device', 'page-changed');
});

test('a long proxy reason is cut to 120 characters, ending in an ellipsis', () => {
  const reason = `proxy answered 502 ${'x'.repeat(200)}`;
  const c = classify(evidence({ proxyErrors: [reason] }));
  expectClass(c, 'network', 'proxy');
  assert.ok(c.action.includes(`(${reason.slice(0, 119)}…)`), c.action);
  assert.ok(!c.action.includes(reason.slice(0, 120)), c.action);
});

test('a failed main-frame navigation is unreachable', () => {
  for (const nav of ['net::ERR_NAME_NOT_RESOLVED (portal.acme.example)', 'net::ERR_CONNECTION_REFUSED (portal.acme.example)', 'NS_ERROR_UNKNOWN_HOST (portal.acme.example)']) {
    const c = classify(evidence({ navigationErrors: [nav] }));
    expectClass(c, 'network', 'unreachable');
    assert.match(c.action, /could not be reached/);
  }
});

test('a navigation failing on the certificate or TLS is tls, in each browser\'s wording', () => {
  for (const nav of [
    'net::ERR_CERT_AUTHORITY_INVALID (portal.acme.example)',
    'net::ERR_SSL_PROTOCOL_ERROR (portal.acme.example)',
    'SSL_ERROR_UNKNOWN_ISSUER (portal.acme.example)',
    'The certificate for this server is invalid. (portal.acme.example)',
    'TLS handshake failed (portal.acme.example)',
  ]) {
    const c = classify(evidence({ navigationErrors: [nav] }));
    expectClass(c, 'network', 'tls');
    assert.match(c.action, /certificate/, nav);
  }
});

test('a net::ERR_ code in the error message counts as a navigation failure when none was recorded', () => {
  expectClass(classify(evidence({ errorMessage: 'page.goto: net::ERR_CONNECTION_RESET at https://portal.acme.example/' })), 'network', 'unreachable');
  expectClass(classify(evidence({ errorMessage: 'page.goto: net::ERR_CERT_DATE_INVALID at https://portal.acme.example/' })), 'network', 'tls');
});

test('a recorded navigation failure is read before the error message', () => {
  const c = classify(evidence({ navigationErrors: ['net::ERR_CONNECTION_REFUSED (portal.acme.example)'], errorMessage: 'page.goto: net::ERR_CERT_DATE_INVALID' }));
  expectClass(c, 'network', 'unreachable');
});

// ---- backend ----

test('a request left unanswered at the timeout is slow-response, naming the request', () => {
  const c = classify(evidence({ pendingRequests: ['POST /api/login (no answer after 10.2 s)', 'GET /api/me (no answer after 9.9 s)'] }));
  expectClass(c, 'backend', 'slow-response');
  assert.match(c.action, /POST \/api\/login \(no answer after 10\.2 s\)/);
  assert.doesNotMatch(c.action, /\/api\/me/);
});

test('an empty list of pending requests is no slow response', () => {
  expectClass(classify(evidence({ pendingRequests: [] })), 'browser-device', 'page-changed');
});

test('a long pending request is cut to 140 characters, ending in an ellipsis', () => {
  const pending = `POST /api/login?${'q'.repeat(200)} (no answer after 10.0 s)`;
  const c = classify(evidence({ pendingRequests: [pending] }));
  expectClass(c, 'backend', 'slow-response');
  assert.ok(c.action.includes(`${pending.slice(0, 139)}…:`), c.action);
  assert.ok(!c.action.includes('no answer after'), c.action);
});

test('an HTTP 5xx is backend, with the status in the cause and the action', () => {
  for (const status of [500, 502, 503, 504]) {
    const c = classify(evidence({ httpStatus: status }));
    expectClass(c, 'backend', `http-${status}`);
    assert.match(c.action, new RegExp(`HTTP ${status}\\b`));
  }
});

test('a status below 500 is not backend: 499 and 404 fall through to page-changed', () => {
  expectClass(classify(evidence({ httpStatus: 499 })), 'browser-device', 'page-changed');
  expectClass(classify(evidence({ httpStatus: 404 })), 'browser-device', 'page-changed');
  expectClass(classify(evidence({ httpStatus: 200 })), 'browser-device', 'page-changed');
});

// ---- authentication, identity, permissions ----

test('HTTP 423 is account-locked, whatever the page says', () => {
  expectClass(classify(evidence({ httpStatus: 423 })), 'authentication', 'account-locked');
});

test('an alert saying the account is locked is account-locked, even with a 200', () => {
  const c = classify(evidence({ httpStatus: 200, alertText: 'Your account is LOCKED. Try again in 15 minutes or contact the help desk.' }));
  expectClass(c, 'authentication', 'account-locked');
  assert.match(c.action, /unlock/);
});

test('an alert saying the user does not exist is user-not-found', () => {
  for (const alert of ['User not found.', 'No matching account was found.', 'No user found for that email.', 'We could not find you.']) {
    expectClass(classify(evidence({ alertText: alert })), 'identity', 'user-not-found');
  }
});

test('HTTP 403 is access-denied', () => {
  expectClass(classify(evidence({ httpStatus: 403 })), 'permissions', 'access-denied');
});

test('an alert denying access is access-denied', () => {
  for (const alert of ['Access denied.', 'You are not authorized to view this page.', 'You are not authorised.', 'You do not have permission to open records.']) {
    expectClass(classify(evidence({ alertText: alert })), 'permissions', 'access-denied');
  }
});

test('on an MFA step, an alert refusing the code is mfa-rejected', () => {
  for (const alert of ['The verification code is incorrect or has expired.', 'That code has already been used. Wait for a new code.', 'Code invalid.', 'Verification failed.']) {
    const c = classify(evidence({ mfaStep: true, alertText: alert }));
    expectClass(c, 'authentication', 'mfa-rejected');
    assert.match(c.action, /clock/);
  }
});

test('on an MFA step, HTTP 401 alone is mfa-rejected', () => {
  expectClass(classify(evidence({ mfaStep: true, httpStatus: 401 })), 'authentication', 'mfa-rejected');
});

test('an alert refusing a code on a step that is not an MFA step is not mfa-rejected', () => {
  expectClass(classify(evidence({ mfaStep: false, alertText: 'The verification code is incorrect or has expired.' })), 'browser-device', 'page-changed');
});

test('an alert refusing the credentials is bad-credentials', () => {
  for (const alert of ['Invalid username or password.', 'Invalid credentials', 'Invalid user name.', 'Incorrect password.', 'incorrect username']) {
    const c = classify(evidence({ alertText: alert }));
    expectClass(c, 'authentication', 'bad-credentials');
    assert.match(c.action, /password/);
  }
});

test('HTTP 401 alone on a step that is not an MFA step is bad-credentials', () => {
  expectClass(classify(evidence({ httpStatus: 401 })), 'authentication', 'bad-credentials');
});

test('on an MFA step, an alert refusing the credentials (not the code) and no 401 is bad-credentials', () => {
  expectClass(classify(evidence({ mfaStep: true, alertText: 'Invalid username or password.' })), 'authentication', 'bad-credentials');
});

// ---- browser/device ----

test('an exception thrown by the portal\'s own script is script-error, quoting it', () => {
  const c = classify(evidence({ pageErrors: ['TypeError: undefined is not a function', 'ReferenceError: x is not defined'] }));
  expectClass(c, 'browser-device', 'script-error');
  assert.match(c.action, /\(TypeError: undefined is not a function\)/);
  assert.doesNotMatch(c.action, /ReferenceError/);
});

test('a long script error is cut to 120 characters, ending in an ellipsis', () => {
  const err = `TypeError: ${'y'.repeat(200)}`;
  const c = classify(evidence({ pageErrors: [err] }));
  assert.ok(c.action.includes(`(${err.slice(0, 119)}…)`), c.action);
});

test('a control covered, hidden or off-screen is layout-broken, naming the viewport width', () => {
  for (const msg of [
    'locator.click: <div class="cookie-banner"> intercepts pointer events',
    'locator.click: element is not visible',
    'locator.click: Element is outside of the viewport',
  ]) {
    const c = classify(evidence({ errorMessage: msg, viewportWidth: 390 }));
    expectClass(c, 'browser-device', 'layout-broken');
    assert.match(c.action, / at 390 px wide /, msg);
  }
});

test('layout-broken leaves out the width when the viewport is unknown', () => {
  for (const viewportWidth of [null, undefined]) {
    const c = classify(evidence({ errorMessage: 'element is not visible', viewportWidth }));
    expectClass(c, 'browser-device', 'layout-broken');
    assert.doesNotMatch(c.action, /px wide/);
    assert.match(c.action, /^A control could not be used \(covered or off-screen\)/);
  }
});

test('a control that stays disabled is control-disabled', () => {
  expectClass(classify(evidence({ errorMessage: 'locator.click: element is not enabled' })), 'browser-device', 'control-disabled');
  expectClass(classify(evidence({ errorMessage: 'locator.fill: Element is disabled' })), 'browser-device', 'control-disabled');
});

test('the page\'s alert text is not read for layout or disabled controls, only the error message', () => {
  expectClass(classify(evidence({ alertText: 'This button is not enabled yet.' })), 'browser-device', 'page-changed');
});

// ---- precedence: each pair would flip if classify() checked its branches in another order ----

test('precedence: a blocked host wins over an HTTP 503 and everything else', () => {
  const c = classify(evidence({
    blockedHosts: ['login-portal.localhost'], httpStatus: 503, proxyErrors: ['proxy answered 407'],
    navigationErrors: ['net::ERR_CERT_AUTHORITY_INVALID (x)'], pendingRequests: ['POST /api/login (no answer after 10.0 s)'],
    alertText: 'Your account is locked.', pageErrors: ['TypeError: boom'], mfaStep: true,
  }));
  expectClass(c, 'network', 'host-not-allowed');
  expectClass(classify(evidence({ blockedHosts: ['evil.example'], httpStatus: 503 })), 'network', 'host-not-allowed');
});

test('precedence: a proxy failure wins over a navigation failure', () => {
  expectClass(classify(evidence({ proxyErrors: ['proxy answered 502'], navigationErrors: ['net::ERR_TUNNEL_CONNECTION_FAILED (x)'] })), 'network', 'proxy');
});

test('precedence: a navigation failure wins over pending requests', () => {
  expectClass(classify(evidence({ navigationErrors: ['net::ERR_CONNECTION_REFUSED (x)'], pendingRequests: ['GET / (no answer after 10.0 s)'] })), 'network', 'unreachable');
});

test('precedence: pending requests win over an HTTP 5xx', () => {
  expectClass(classify(evidence({ pendingRequests: ['POST /api/login (no answer after 10.0 s)'], httpStatus: 503 })), 'backend', 'slow-response');
});

test('precedence: an HTTP 5xx wins over a locked alert and a script error', () => {
  expectClass(classify(evidence({ httpStatus: 503, alertText: 'Your account is locked.', pageErrors: ['TypeError: boom'] })), 'backend', 'http-503');
});

test('precedence: account-locked wins over user-not-found', () => {
  expectClass(classify(evidence({ alertText: 'User not found or account locked.' })), 'authentication', 'account-locked');
  expectClass(classify(evidence({ httpStatus: 423, alertText: 'User not found.' })), 'authentication', 'account-locked');
});

test('precedence: user-not-found wins over access-denied', () => {
  expectClass(classify(evidence({ httpStatus: 403, alertText: 'User not found.' })), 'identity', 'user-not-found');
});

test('precedence: access-denied wins over mfa-rejected on an MFA step', () => {
  expectClass(classify(evidence({ mfaStep: true, httpStatus: 403, alertText: 'The verification code is incorrect.' })), 'permissions', 'access-denied');
});

test('precedence: mfa-rejected wins over bad-credentials on an MFA step', () => {
  expectClass(classify(evidence({ mfaStep: true, httpStatus: 401, alertText: 'Invalid username or password. The code is invalid.' })), 'authentication', 'mfa-rejected');
});

test('precedence: bad-credentials wins over a script error', () => {
  expectClass(classify(evidence({ httpStatus: 401, pageErrors: ['TypeError: boom'] })), 'authentication', 'bad-credentials');
});

test('precedence: a script error wins over a layout problem', () => {
  expectClass(classify(evidence({ pageErrors: ['TypeError: boom'], errorMessage: 'element is not visible' })), 'browser-device', 'script-error');
});

test('precedence: layout-broken wins over control-disabled when the message says both', () => {
  expectClass(classify(evidence({ errorMessage: 'element is not visible; element is not enabled' })), 'browser-device', 'layout-broken');
});

test('a host name with "ssl" or "tls" in it does not make a DNS or refused connection a TLS failure', () => {
  expectClass(classify(evidence({ navigationErrors: ['net::ERR_NAME_NOT_RESOLVED (sslvpn.clinic.example)'] })), 'network', 'unreachable');
  expectClass(classify(evidence({ navigationErrors: ['net::ERR_CONNECTION_REFUSED (portal.tlshealth.example)'] })), 'network', 'unreachable');
  expectClass(classify(evidence({ navigationErrors: ['net::ERR_CERT_DATE_INVALID (sslvpn.clinic.example)'] })), 'network', 'tls');
});

test('a connection error from the request API (session probes) is Network too, not a changed page', () => {
  expectClass(classify(evidence({ errorMessage: 'apiRequestContext.get: getaddrinfo ENOTFOUND portal.internal.test' })), 'network', 'unreachable');
  expectClass(classify(evidence({ errorMessage: 'apiRequestContext.get: connect ECONNREFUSED 127.0.0.1:443' })), 'network', 'unreachable');
  expectClass(classify(evidence({ errorMessage: 'apiRequestContext.get: self-signed certificate' })), 'network', 'tls');
});

test('"blocked" and "unlocked" are not "locked"', () => {
  assert.notEqual(classify(evidence({ alertText: 'Cookies are blocked in your browser.' })).cause, 'account-locked');
  assert.notEqual(classify(evidence({ alertText: 'Your account has been unlocked. Sign in again.' })).cause, 'account-locked');
  expectClass(classify(evidence({ alertText: 'Your account is locked.' })), 'authentication', 'account-locked');
});

test('common wordings of a refused password are bad-credentials', () => {
  for (const alertText of ['Username or password is incorrect.', 'Invalid password.', 'The password you entered was incorrect.']) {
    expectClass(classify(evidence({ alertText })), 'authentication', 'bad-credentials');
  }
});

test('a request-API connection error is read without its host: "sslvpn" in a name is no TLS failure', () => {
  expectClass(classify(evidence({ errorMessage: 'apiRequestContext.get: getaddrinfo ENOTFOUND sslvpn.clinic.example' })), 'network', 'unreachable');
});

test('words on the page are never read as a connection error: only what a Playwright call threw is', () => {
  // A 500 page whose heading quotes the backend's error is Backend, not Network.
  expectClass(classify(evidence({ errorMessage: 'Expected heading "Dashboard" but the page shows "Error: connect ECONNREFUSED 10.0.0.5:5432" (/dashboard).', httpStatus: 500 })), 'backend', 'http-500');
  // A portal saying a user's own certificate expired is a changed page, not TLS.
  expectClass(classify(evidence({ errorMessage: 'Expected heading "Dashboard" but the page shows "Your certificate has expired" (/dashboard).' })), 'browser-device', 'page-changed');
});
