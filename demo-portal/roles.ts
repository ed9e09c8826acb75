/**
 * Who may open the role-restricted parts of the portal — the same rule for the server-rendered
 * pages (/labs, /claims) and the single-page app's API (/api/app/labs, /api/app/claims), so
 * the role-access faults change both flavours in one place, as a vendor's permission table would.
 */
import type { PortalState } from './state.ts';
import type { AccountRole } from './types.ts';

export type RoleArea = 'labs' | 'claims';

const AREA_ROLES: Record<RoleArea, readonly AccountRole[]> = { labs: ['physician'], claims: ['billing'] };

export const ACCESS_DENIED_MESSAGE = 'You do not have permission to view this page.';

export function mayOpen(state: PortalState, area: RoleArea, role: AccountRole): boolean {
  // A permission mapping broken by an "update": physicians lose lab results …
  if (area === 'labs' && role === 'physician' && state.faults.has('role-access-lost')) return false;
  // … or the lab results are opened to every signed-in role.
  if (area === 'labs' && state.faults.has('role-access-leak')) return true;
  return AREA_ROLES[area].includes(role);
}
