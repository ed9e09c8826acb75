/**
 * Cross-references of a role-access check: each role is one the portal's accounts have, its
 * `use` names accounts of that role only (a pool that mixes roles would test the wrong
 * role's access and pass), its login journey exists, and no path is both allowed and denied.
 */
type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const quoted = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

export function checkRoleAccess(portal: Raw, check: Raw, jat: string, at: string, logins: ReadonlyMap<string, Raw>, add: (path: string, message: string) => void): void {
  const accounts = list(portal.accounts).map(rec).filter((a): a is Raw => a !== undefined);
  const roles = [...new Set(accounts.map((a) => a.role).filter((r) => typeof r === 'string'))];
  for (const key of ['use', 'login'] as const) {
    // The other checks' habit; here it would be ambiguous which role it signs in.
    if (check[key] !== undefined) add(`${jat}.${key}`, `a role-access check signs in each role with its own "use" and "login": put them in roles[] (the first role's are the check's own).`);
  }
  const firstAt = new Map<string, number>();
  list(check.roles).map(rec).forEach((entry, ri) => {
    if (!entry) return;
    const rat = `${jat}.roles[${ri}]`;
    const role = entry.role;
    if (typeof role === 'string') {
      const earlier = firstAt.get(role);
      if (earlier !== undefined) add(`${rat}.role`, `role "${role}" is already checked by ${jat}.roles[${earlier}]; list each role once, with all its paths.`);
      else firstAt.set(role, ri);
      if (!roles.includes(role)) add(`${rat}.role`, `names role "${role}", but no account of ${at} has "role": "${role}" (roles: ${quoted(roles) || 'none'}).`);
    }
    const use = rec(entry.use);
    const used = typeof use?.account === 'string' ? accounts.filter((a) => a.id === use.account)
      : typeof use?.pool === 'string' ? accounts.filter((a) => a.pool === use.pool) : undefined;
    if (used?.length === 0) {
      add(`${rat}.use`, typeof use?.account === 'string'
        ? `names account "${String(use.account)}", but ${at} has no account with that id (ids: ${quoted(accounts.map((a) => a.id))}).`
        : `names pool "${String(use?.pool)}", but no account of ${at} has "pool": "${String(use?.pool)}".`);
    }
    const others = (used ?? []).filter((a) => typeof role === 'string' && a.role !== role);
    if (others.length > 0) {
      add(`${rat}.use`, `must name accounts of role "${String(role)}" only, but ${others.map((a) => `"${String(a.id)}" is "${String(a.role)}"`).join(', ')}: the check would test another role's access.`);
    }
    const login = typeof entry.login === 'string' ? logins.get(entry.login) : undefined;
    if (typeof entry.login === 'string' && !login) {
      add(`${rat}.login`, `names login journey "${entry.login}", but ${at} has no journey of kind "login" with that name (login journeys: ${quoted([...logins.keys()]) || 'none'}).`);
    }
    const steps = list(login?.steps).map(rec);
    if (login && !steps.some((s) => s?.step === 'assert')) add(`${rat}.login`, `login journey "${String(entry.login)}" needs an "assert" step: the check must know when the role is signed in.`);
    const needs: [field: string, why: string][] = [];
    if (steps.some((s) => s?.step === 'totp')) needs.push(['totpSeed', 'has a totp step']);
    if (steps.some((s) => s?.step === 'fill' && s.value === 'npi')) needs.push(['npi', 'fills in the NPI']);
    for (const a of used ?? []) {
      for (const [field, why] of needs) {
        if (a[field] === undefined) add(`${rat}.use`, `account "${String(a.id)}" has no ${field}, but login journey "${String(entry.login)}" ${why}.`);
      }
    }
    const allow = new Set(list(entry.allow));
    list(entry.deny).forEach((p, pi) => {
      if (allow.has(p)) add(`${rat}.deny[${pi}]`, `${JSON.stringify(p)} is in "allow" too: a path is either allowed or denied for a role.`);
    });
  });
}
