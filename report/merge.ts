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

/**
 * Two machines that used one account in the same TOTP time step, or the next (clocks differ,
 * and a portal may refuse a code from a step no later than the last it accepted), could have
 * been handed one code. One warning per account and pair of bundles.
 */
export function sharedAccountWarnings(bundles: readonly Bundle[]): string[] {
  const steps = new Map<string, Map<Bundle, Set<number>>>();
  for (const b of bundles) {
    for (const r of b.run.results) {
      if (!r.account || r.outcome === 'not-run') continue;
      const k = `${r.portal}\u0000${r.account}`;
      const byBundle = steps.get(k) ?? new Map<Bundle, Set<number>>();
      const set = byBundle.get(b) ?? new Set<number>();
      for (const step of totpSteps(r)) set.add(step);
      byBundle.set(b, set);
      steps.set(k, byBundle);
    }
  }
  const out: string[] = [];
  for (const [k, byBundle] of steps) {
    const [portal = '', account = ''] = k.split('\u0000');
    const list = [...byBundle.entries()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, sa] = list[i] as [Bundle, Set<number>];
        const [b, sb] = list[j] as [Bundle, Set<number>];
        const clash = [...sa].find((x) => sb.has(x) || sb.has(x - 1) || sb.has(x + 1));
        if (clash === undefined) continue;
        const at = new Date(clash * TOTP_STEP_MS).toISOString().slice(11, 16);
        out.push(`bundles ${a.dir} and ${b.dir} used account ${account} of ${portal} within neighbouring TOTP time steps (around ${at} UTC): give each machine its own accounts (--accounts), or one may be refused a code another used.`);
      }
    }
  }
  return out;
}

/** Not-run placeholders for the pairs of shards no bundle reported (a machine that died, an upload that never came). */
function missingShards(bundles: readonly Bundle[], warnings: string[]): JourneyResult[] {
  const sharded = bundles.filter((b) => b.manifest.share && b.manifest.shard);
  const ref = sharded[0];
  if (!ref?.manifest.share || !ref.manifest.shard) return [];
  const present = new Map<number, number>();
  for (const b of sharded) present.set(b.manifest.shard?.index ?? 0, (present.get(b.manifest.shard?.index ?? 0) ?? 0) + 1);
  for (const [i, n] of present) if (n > 1) warnings.push(`shard ${i}/${ref.manifest.share.shards} was merged ${n} times: its cells are kept ${n} times.`);
  const missing = Array.from({ length: ref.manifest.share.shards }, (_, i) => i + 1).filter((i) => !present.has(i));
  if (missing.length === 0) return [];
  warnings.push(`no bundle of shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${ref.manifest.share?.shards}`).join(', ')} was merged: its cells are "not run".`);
  const anyCell = ref.manifest.share.pairs.find((p) => p.cell !== '*')?.cell ?? ref.manifest.browsers[0]?.cell ?? 'unknown/unknown';
  return ref.manifest.share.pairs.filter((p) => missing.includes(p.shard)).map((p) => {
    const cell = p.cell === '*' ? anyCell : p.cell;
    const [browser = 'chromium', viewport = 'desktop'] = cell.split('/');
    return {
      id: `${p.portal}/${p.journey}/${browser}/${viewport}@missing#${p.shard}of${ref.manifest.share?.shards}`, runId: ref.run.runId, portal: p.portal, environment: p.environment,
      journey: p.journey, account: null, browser: { name: browser as JourneyResult['browser']['name'], engine: browser, version: null },
      viewport: { name: viewport, width: null, height: null }, startedAt: ref.run.startedAt, durationMs: null, outcome: 'not-run',
      reason: `not run: no bundle of shard ${p.shard}/${ref.manifest.share?.shards} was merged`, steps: [], artifacts: {}, labels: ref.run.labels,
    };
  });
}

export function mergeBundles(dirs: readonly string[], o: { maxApartMs: number; now?: Date }): Merged {
  const bundles = readBundles(dirs, o.maxApartMs);
  const first = bundles[0] as Bundle;
  const warnings = sharedAccountWarnings(bundles);
  const group = first.manifest.group ?? bundles.find((b) => b.manifest.group)?.manifest.group ?? null;
  for (const b of bundles) if (group && !b.manifest.group) warnings.push(`bundle ${b.dir} was run without --run-group; it is merged into run group ${group}.`);
  const used = new Set<string>();
  const all = bundles.flatMap((b) => b.run.results.map((r): JourneyResult => {
    const shard = b.manifest.shard ? `${b.manifest.shard.index}of${b.manifest.shard.total}` : undefined;
    const local = b.screenshot(r);
    // The machine and shard make an id unique across machines; the run id, should one machine have run twice.
    let id = `${r.id}@${b.manifest.host}${shard ? `#${shard}` : ''}`;
    if (used.has(id)) id = `${id}~${b.run.runId}`;
    used.add(id);
    return {
      ...r, id,
      source: { runId: b.run.runId, host: b.manifest.host, ...(shard ? { shard: shardText(b.manifest.shard) as string } : {}) },
      artifacts: { ...(local ? { screenshot: local } : {}), ...(r.artifacts.trace ? { trace: r.artifacts.trace } : {}) },
    };
  }));
  const unreported = missingShards(bundles, warnings);
  all.push(...unreported);
  // Within one merged run every result shares the group: a ran result replaces its cell's placeholders.
  const results = dropPlaceholders(all, () => 'merged', (r) => `${r.portal} › ${r.journey} ${r.browser.name}/${r.viewport.name}`);
  const summary = summarize(results);
  const ran = summary.total - summary.notRun;
  const failing = results.filter((r) => r.outcome === 'failed' || r.outcome === 'degraded').length;
  // A shard that never reported is a fault of the run, not a pass.
  const exitCode = summary.error > 0 || ran === 0 || unreported.length > 0 ? EXIT.harness : failing > 0 ? EXIT.checksFailed : EXIT.ok;
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
