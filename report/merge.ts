/**
 * Merges the results bundles of one matrix run's machines into one results.json: a ran
 * result replaces the not-run placeholders of its cell, a cell run on two machines is kept
 * twice, and result ids gain their machine (and shard) so they never collide. Bundles of
 * another config, another run group, or too far apart are refused before anything is
 * written; so is a bundle that is missing or truncated.
 */
import { EXIT, HarnessError } from '../core/errors.ts';
import { summarize, type JourneyResult, type RunResult } from '../core/result.ts';
import { readBundle, type Bundle } from './bundle.ts';
import { dropPlaceholders } from './model.ts';

/** A TOTP time step: codes of one account are shared by everything signing in within it. */
const TOTP_STEP_MS = 30_000;

export interface Merged { bundles: Bundle[]; run: RunResult; warnings: string[] }

const short = (h: string): string => (h.length > 19 ? `${h.slice(0, 19)}…` : h);
export const shardText = (s: RunResult['shard'] | null): string | undefined => (s ? `${s.index}/${s.total}` : undefined);

/** Reads every bundle and checks they belong together; throws naming the first that does not. */
export function readBundles(dirs: readonly string[], maxApartMs: number): Bundle[] {
  if (dirs.length === 0) throw new HarnessError('USAGE', 'merge needs at least one bundle (a run folder with bundle.json).');
  const bundles = dirs.map(readBundle);
  const [first] = bundles;
  if (!first) throw new HarnessError('USAGE', 'merge needs at least one bundle.');
  const seen = new Map<string, Bundle>();
  for (const b of bundles) {
    const twin = seen.get(b.manifest.runId);
    if (twin) throw new HarnessError('BUNDLE_MISMATCH', `Bundles ${twin.dir} and ${b.dir} are the same run (${b.manifest.runId}).`);
    seen.set(b.manifest.runId, b);
    if (b.manifest.configHash !== first.manifest.configHash) {
      throw new HarnessError('BUNDLE_MISMATCH', `Bundle ${b.dir} was run with another config than ${first.dir} (identity ${short(b.manifest.configHash)} vs ${short(first.manifest.configHash)}); merge only the machines of one matrix run.`);
    }
    if (b.manifest.group !== null && first.manifest.group !== null && b.manifest.group !== first.manifest.group) {
      throw new HarnessError('BUNDLE_MISMATCH', `Bundle ${b.dir} belongs to run group ${b.manifest.group}, ${first.dir} to ${first.manifest.group}.`);
    }
  }
  const starts = bundles.map((b) => ({ b, t: Date.parse(b.manifest.startedAt) })).sort((x, y) => x.t - y.t);
  const earliest = starts[0];
  const latest = starts.at(-1);
  if (earliest && latest && latest.t - earliest.t > maxApartMs) {
    throw new HarnessError('BUNDLE_MISMATCH', `Bundles ${earliest.b.dir} and ${latest.b.dir} started ${((latest.t - earliest.t) / 3_600_000).toFixed(1)} h apart, more than --max-apart allows (${(maxApartMs / 3_600_000).toFixed(1)} h).`);
  }
  return bundles;
}

/** Steps of TOTP time an account's sign-ins covered in one result. */
function totpSteps(r: JourneyResult): number[] {
  const start = Date.parse(r.startedAt);
  if (!Number.isFinite(start)) return [];
  const end = start + (r.durationMs ?? 0);
  const out: number[] = [];
  for (let s = Math.floor(start / TOTP_STEP_MS); s <= Math.floor(end / TOTP_STEP_MS); s++) out.push(s);
  return out;
}

/** Two machines that used one account in the same TOTP time step could have been handed one code. */
export function sharedAccountWarnings(bundles: readonly Bundle[]): string[] {
  const uses = new Map<string, { bundle: Bundle; step: number }[]>();
  for (const b of bundles) {
    for (const r of b.run.results) {
      if (!r.account || r.outcome === 'not-run') continue;
      for (const step of totpSteps(r)) {
        const k = `${r.portal}\u0000${r.account}\u0000${step}`;
        const list = uses.get(k) ?? [];
        if (!list.some((u) => u.bundle === b)) list.push({ bundle: b, step });
        uses.set(k, list);
      }
    }
  }
  const out = new Set<string>();
  for (const [k, list] of uses) {
    if (list.length < 2) continue;
    const [portal = '', account = ''] = k.split('\u0000');
    const at = new Date((list[0]?.step ?? 0) * TOTP_STEP_MS).toISOString().slice(11, 16);
    out.add(`bundles ${list.map((u) => u.bundle.dir).join(' and ')} used account ${account} of ${portal} within the same TOTP time step (around ${at} UTC): give each machine its own accounts (--accounts), or one may be refused a code another used.`);
  }
  return [...out];
}

export function mergeBundles(dirs: readonly string[], o: { maxApartMs: number; now?: Date }): Merged {
  const bundles = readBundles(dirs, o.maxApartMs);
  const first = bundles[0] as Bundle;
  const warnings = sharedAccountWarnings(bundles);
  const totals = new Set(bundles.flatMap((b) => (b.manifest.shard ? [b.manifest.shard.total] : [])));
  if (totals.size > 1) warnings.push(`the bundles were sharded differently (${[...totals].map((t) => `of ${t}`).join(', ')}): cells may be run twice or not at all.`);
  const group = first.manifest.group ?? bundles.find((b) => b.manifest.group)?.manifest.group ?? null;
  const all = bundles.flatMap((b) => b.run.results.map((r): JourneyResult => {
    const shard = b.manifest.shard ? `${b.manifest.shard.index}of${b.manifest.shard.total}` : undefined;
    const local = b.screenshot(r);
    return {
      ...r, id: `${r.id}@${b.manifest.host}${shard ? `#${shard}` : ''}`,
      source: { runId: b.run.runId, host: b.manifest.host, ...(shard ? { shard: shardText(b.manifest.shard) as string } : {}) },
      artifacts: { ...(local ? { screenshot: local } : {}), ...(r.artifacts.trace ? { trace: r.artifacts.trace } : {}) },
    };
  }));
  // Within one merged run every result shares the group: a ran result replaces its cell's placeholders.
  const results = dropPlaceholders(all, () => 'merged', (r) => `${r.portal} › ${r.journey} ${r.browser.name}/${r.viewport.name}`);
  const summary = summarize(results);
  const ran = summary.total - summary.notRun;
  const failing = results.filter((r) => r.outcome === 'failed' || r.outcome === 'degraded').length;
  const exitCode = summary.error > 0 || ran === 0 ? EXIT.harness : failing > 0 ? EXIT.checksFailed : EXIT.ok;
  const labels: Record<string, string> = {};
  for (const b of bundles) {
    for (const [k, v] of Object.entries(b.run.labels)) {
      if (labels[k] !== undefined && labels[k] !== v) warnings.push(`label ${k} differs between bundles (${labels[k]}, ${v}); the first is kept.`);
      else labels[k] = v;
    }
  }
  const startedAt = bundles.map((b) => b.run.startedAt).sort()[0] ?? first.run.startedAt;
  const finishedAt = bundles.map((b) => b.run.finishedAt).sort().at(-1) ?? first.run.finishedAt;
  const hosts = [...new Set(bundles.map((b) => b.manifest.host))];
  const run: RunResult = {
    runId: `merged-${group ?? first.run.runId}`, startedAt, finishedAt, configSource: first.run.configSource, labels, results, summary, exitCode,
    host: hosts.join(', '), location: [...new Set(bundles.map((b) => b.manifest.location))].join(', '),
    regressions: results.filter((r) => r.verdict?.verdict === 'regressed').length,
    configHash: first.manifest.configHash, ...(group ? { group } : {}),
    merged: {
      runs: bundles.map((b) => ({
        runId: b.run.runId, host: b.manifest.host, os: `${b.manifest.os.platform} ${b.manifest.os.release}`, location: b.manifest.location,
        shard: shardText(b.manifest.shard) ?? null, exitCode: b.run.exitCode,
      })),
    },
  };
  return { bundles, run, warnings };
}
