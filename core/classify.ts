/**
 * Failure taxonomy used by portal help desks (DESIGN.md), each with the action it
 * calls for. A failed step's evidence is mapped to one category and a finer cause, so
 * a Slack alert says "Backend/integration: HTTP 503 at submit credentials" rather than
 * "TimeoutError".
 */
export type Category = 'authentication' | 'browser-device' | 'network' | 'permissions' | 'backend' | 'identity';

export const CATEGORY_LABEL: Record<Category, string> = {
  authentication: 'Authentication',
  'browser-device': 'Browser/device',
  network: 'Network',
  permissions: 'Permissions',
  backend: 'Backend/integration',
  identity: 'Identity',
};

export interface FailureEvidence {
  step: string;
  /** What the harness saw: Playwright's error message, already redacted. */
  errorMessage: string;
  /** Text of the page's alert / error region, if any. */
  alertText?: string;
  /** Status of the last main-frame document response. */
  httpStatus?: number;
  /** Uncaught exceptions thrown by the page's own scripts. */
  pageErrors: string[];
  /** Hosts the journey was sent to that are not on the allow-list (refused). */
  blockedHosts: string[];
  /** Why the outbound proxy did not open a connection of the journey. */
  proxyErrors?: string[];
  /** Network-level failures of main-frame navigations (DNS, refused, TLS). */
  navigationErrors: string[];
  /** Requests of the step (documents, fetch/XHR) still unanswered when it timed out: "POST /api/login (no answer after 10.2 s)". */
  pendingRequests?: string[];
  viewportWidth?: number | null;
  /** The step was a TOTP step. */
  mfaStep: boolean;
}

export interface Classification { category: Category; cause: string; action: string }

const AUTH_LOCKED = /\blocked\b/i;
const AUTH_BAD = /invalid (username|user name|password|credentials)|incorrect (username|password)|(username|user name|password)( or password)?( you entered)? (is |was )?incorrect/i;
const MFA_BAD = /code (is )?(incorrect|invalid|expired)|already been used|verification (failed|code is incorrect)/i;
const NOT_FOUND = /user not found|no (matching )?(user|account) (was )?found|could not find/i;
const DENIED = /access denied|not authori[sz]ed|permission/i;
const TLS = /ERR_CERT|SSL|TLS|certificate/i;
/** A connection that failed below HTTP: the browser's net:: codes, and Node's (session probes use Playwright's request API). */
const NET_ERROR = /net::ERR_[A-Z_]+|\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)\b|self[- ]signed certificate|unable to verify the first certificate|certificate has expired/i;
/**
 * The text of an error a Playwright call threw ("page.goto: net::ERR_…", "apiRequestContext.get:
 * getaddrinfo ENOTFOUND …"): only that is searched for connection errors, never a message the
 * harness built from the page's own words (a heading may well say "certificate has expired").
 */
const PLAYWRIGHT_ERROR = /^(?:page|frame|locator|apiRequestContext|browserContext|browser|elementHandle)\.\w+: (.*)$/;

export function classify(e: FailureEvidence): Classification {
  if (e.blockedHosts.length > 0) {
    const host = e.blockedHosts[0];
    return { category: 'network', cause: 'host-not-allowed', action: `The journey was sent to ${host}, which is not on the portal's allow-list (look-alike host or an unlisted SSO hop): do not use the portal until the vendor confirms the host; add it to allowedHosts only if it is genuinely theirs.` };
  }
  const proxy = e.proxyErrors?.[0];
  if (proxy) {
    const auth = /\b407\b/.test(proxy);
    return {
      category: 'network', cause: auth ? 'proxy-auth' : 'proxy',
      action: auth
        ? `The outbound proxy wants other credentials (${truncate(proxy, 120)}): check proxy.username and proxy.password in the secret store.`
        : `The outbound proxy did not open the connection (${truncate(proxy, 120)}): check proxy.server, and that the proxy allows CONNECT to the portal's host and port.`,
    };
  }
  const thrown = PLAYWRIGHT_ERROR.exec(e.errorMessage.split('\n')[0] ?? '')?.[1];
  const nav = e.navigationErrors[0] ?? (thrown === undefined ? undefined : NET_ERROR.exec(thrown)?.[0]);
  if (nav) {
    // Only the error itself, not the host it names: "net::ERR_NAME_NOT_RESOLVED (sslvpn.example)" is DNS.
    if (TLS.test(nav.replace(/\s*\([^()]*\)\s*$/, ''))) return { category: 'network', cause: 'tls', action: 'The TLS connection failed (certificate or protocol): check the portal certificate and any TLS-inspecting proxy.' };
    return { category: 'network', cause: 'unreachable', action: 'The portal could not be reached (DNS, refused connection, proxy/VPN): check the network path and the portal host.' };
  }
  const pending = e.pendingRequests?.[0];
  if (pending) {
    return { category: 'backend', cause: 'slow-response', action: `The portal did not answer ${truncate(pending, 140)}: the backend or an integration behind it is slow or down; check the vendor status page and open a ticket if it persists.` };
  }
  const status = e.httpStatus;
  if (status !== undefined && status >= 500) {
    return { category: 'backend', cause: `http-${status}`, action: `The portal answered HTTP ${status}: open a ticket with the vendor (backend or EHR integration down); retries will not help users.` };
  }
  const alert = e.alertText ?? '';
  if (status === 423 || AUTH_LOCKED.test(alert)) {
    return { category: 'authentication', cause: 'account-locked', action: 'The test account is locked: unlock it through the vendor admin console, then find what made the failed attempts.' };
  }
  if (NOT_FOUND.test(alert)) {
    return { category: 'identity', cause: 'user-not-found', action: 'The portal says the user does not exist for a valid account: check identity/record matching and account provisioning.' };
  }
  if (status === 403 || DENIED.test(alert)) {
    return { category: 'permissions', cause: 'access-denied', action: 'Signed in but denied: check the account role and the portal permission settings.' };
  }
  if (e.mfaStep && (MFA_BAD.test(alert) || status === 401)) {
    return { category: 'authentication', cause: 'mfa-rejected', action: 'The TOTP code was rejected: check the machine clock (NTP), the enrolled TOTP seed, and the portal MFA service.' };
  }
  if (AUTH_BAD.test(alert) || status === 401) {
    return { category: 'authentication', cause: 'bad-credentials', action: 'The credentials were refused: check whether the test account password expired or was changed; rotate it in the secret store.' };
  }
  if (e.pageErrors.length > 0) {
    return { category: 'browser-device', cause: 'script-error', action: `The portal's own script threw (${truncate(e.pageErrors[0] ?? '', 120)}) in this browser: report it to the vendor as a browser compatibility defect.` };
  }
  if (/intercepts pointer events|not visible|outside of the viewport/i.test(e.errorMessage)) {
    const w = e.viewportWidth ? ` at ${e.viewportWidth} px wide` : '';
    return { category: 'browser-device', cause: 'layout-broken', action: `A control could not be used${w} (covered or off-screen): report the layout defect to the vendor with the screenshot.` };
  }
  if (/not enabled|element is disabled/i.test(e.errorMessage)) {
    return { category: 'browser-device', cause: 'control-disabled', action: 'A control stayed disabled (its script did not run in this browser?): compare browsers and report to the vendor.' };
  }
  return { category: 'browser-device', cause: 'page-changed', action: 'The page did not show what the journey expects (a vendor update may have changed the page or added a step): compare the screenshot and update the journey.' };
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
