/**
 * Role dashboards. Patient names are fake but marked `data-phi`, so the harness can prove its
 * screenshots mask protected health information before anything leaves the machine.
 */
import { html, page, type Html } from './html.ts';
import { CLAIMS, LABS, MESSAGES, schedule } from '../records.ts';
import type { AccountRole } from '../types.ts';

export interface Viewer {
  displayName: string;
  role: AccountRole;
  /** The `patients` option: extra names on the physician schedule. */
  extraPatients?: readonly string[];
}

function nav(role: AccountRole, current: string): Html {
  const links = [{ href: '/dashboard', text: 'Dashboard' }];
  if (role === 'physician') links.push({ href: '/labs', text: 'Lab results' });
  if (role === 'billing') links.push({ href: '/claims', text: 'Claims' });
  return html`<nav aria-label="Main"><ul>${links.map((l) =>
    html`<li><a href="${l.href}"${l.href === current ? html` aria-current="page"` : ''}>${l.text}</a></li>`)}</ul></nav>`;
}

function labsTable(): Html {
  return html`<table><thead><tr><th scope="col">Patient</th><th scope="col">Test</th><th scope="col">Status</th></tr></thead><tbody>
${LABS.map((l) => html`<tr><td data-phi>${l.patient}</td><td>${l.test}</td><td>${l.status}</td></tr>`)}
</tbody></table>`;
}

function claimsTable(): Html {
  return html`<table><thead><tr><th scope="col">Claim</th><th scope="col">Patient</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead><tbody>
${CLAIMS.map((c) => html`<tr><td>${c.id}</td><td data-phi>${c.patient}</td><td>${c.amount}</td><td>${c.status}</td></tr>`)}
</tbody></table>`;
}

function roleContent(viewer: Viewer): Html {
  switch (viewer.role) {
    case 'physician':
      return html`<section aria-labelledby="schedule-heading">
  <h2 id="schedule-heading">Today's schedule</h2>
  <table><thead><tr><th scope="col">Time</th><th scope="col">Patient</th><th scope="col">Reason</th></tr></thead><tbody>
${schedule(viewer.extraPatients ?? []).map((s) => html`<tr><td>${s.time}</td><td data-phi>${s.patient}</td><td>${s.reason}</td></tr>`)}
  </tbody></table>
</section>
<section aria-labelledby="labs-heading">
  <h2 id="labs-heading">Lab results</h2>
  ${labsTable()}
</section>`;
    case 'billing':
      return html`<section aria-labelledby="claims-heading">
  <h2 id="claims-heading">Claims</h2>
  ${claimsTable()}
</section>`;
    case 'patient':
      return html`<section aria-labelledby="messages-heading">
  <h2 id="messages-heading">Messages</h2>
  <ul class="messages">
${MESSAGES.map((m) => html`    <li><strong>${m.title}</strong> — ${m.from}</li>
`)}  </ul>
</section>`;
  }
}

export function renderDashboard(viewer: Viewer): string {
  const body = html`<h1>Dashboard</h1>
<p data-testid="signed-in-user">Signed in as ${viewer.displayName}</p>
${nav(viewer.role, '/dashboard')}
${roleContent(viewer)}`;
  return page({ title: 'Dashboard', body, signedIn: true });
}

export function renderLabs(viewer: Viewer): string {
  const body = html`<h1>Lab results</h1>
<p data-testid="signed-in-user">Signed in as ${viewer.displayName}</p>
${nav(viewer.role, '/labs')}
${labsTable()}`;
  return page({ title: 'Lab results', body, signedIn: true });
}

export function renderClaims(viewer: Viewer): string {
  const body = html`<h1>Claims</h1>
<p data-testid="signed-in-user">Signed in as ${viewer.displayName}</p>
${nav(viewer.role, '/claims')}
${claimsTable()}`;
  return page({ title: 'Claims', body, signedIn: true });
}
