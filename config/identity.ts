/**
 * A config's identity: a hash of the config as loaded (secret references unresolved, never
 * their values), before the command line's browser, viewport, shard and account options,
 * and without the settings that are each machine's own (where it writes, its store, its
 * location label, how many browsers it runs at once). Machines that run parts of one matrix
 * share it; `portal-probe merge` refuses bundles whose identities differ.
 */
import { createHash } from 'node:crypto';
import type { ProbeConfig } from './schema.ts';

/** JSON with object keys sorted, so the same config hashes the same whatever order it was written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** `sha256:<hex>` of the canonical config. */
export function configIdentity(config: ProbeConfig): string {
  const { outputDir: _o, store: _s, location: _l, workers: _w, ...shared } = config;
  return `sha256:${createHash('sha256').update(canonical(shared)).digest('hex')}`;
}
