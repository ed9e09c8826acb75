/**
 * A results bundle: one machine's part of a matrix run, as `portal-probe merge` takes it.
 * It is the run's own folder (results.json, artifacts/, html/, junit.xml) plus bundle.json,
 * which says where and how it ran — host, OS, browsers and their versions, the shard, the
 * run group, the config's identity — and lists the files merge relies on with their size
 * and SHA-256, so a truncated or incomplete upload is refused rather than half merged.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { HarnessError } from '../core/errors.ts';
import type { NotRunCell, RunnableCell } from '../core/matrix.ts';
import type { JourneyResult, RunResult } from '../core/result.ts';

export const BUNDLE_FILE = 'bundle.json';
const FORMAT = 'portal-probe-bundle';

const fileEntry = z.strictObject({ path: z.string().min(1), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const bundleManifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  runId: z.string().min(1),
  group: z.string().nullable(),
  configHash: z.string().min(1),
  configSource: z.string(),
  host: z.string(),
  location: z.string(),
  os: z.strictObject({ platform: z.string(), release: z.string(), arch: z.string() }),
  node: z.string(),
  shard: z.strictObject({ index: z.number().int(), total: z.number().int(), checks: z.number().int() }).nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Where the run folder was on its machine: results.json's artifact paths start with it. */
  runDir: z.string(),
  browsers: z.array(z.strictObject({ cell: z.string(), browser: z.string(), version: z.string().nullable(), ran: z.boolean(), reason: z.string().optional() })),
  /**
   * A sharded run's view of the whole matrix: every (journey, cell) pair and its shard (a
   * check's cell is "*": each machine runs it in its own first cell). `matrix` hashes it:
   * shards of one matrix run share it.
   */
  share: z.strictObject({
    matrix: z.string(),
    shards: z.number().int(),
    pairs: z.array(z.strictObject({ portal: z.string(), journey: z.string(), environment: z.string(), kind: z.string(), cell: z.string(), shard: z.number().int() })),
  }).nullable().optional(),
  files: z.array(fileEntry).min(1),
});
export type SharePair = NonNullable<BundleManifest['share']>['pairs'][number];
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

function digest(file: string): { bytes: number; sha256: string } {
  const data = readFileSync(file);
  return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

function screenshotsOf(results: readonly JourneyResult[]): string[] {
  return results.flatMap((r) => (r.artifacts.screenshot ? [r.artifacts.screenshot] : []));
}

/** Writes bundle.json beside results.json (which must already be written). */
export function writeBundle(runDir: string, run: RunResult, cells: { runnable: readonly RunnableCell[]; notRun: readonly NotRunCell[]; share?: { shards: number; pairs: SharePair[] } | null }): void {
  const versions = new Map<string, string>();
  for (const r of run.results) if (r.browser.version) versions.set(`${r.browser.name}/${r.viewport.name}`, r.browser.version);
  const files = ['results.json', ...screenshotsOf(run.results).map((f) => path.relative(runDir, f))]
    .filter((f) => !f.startsWith('..') && existsSync(path.join(runDir, f)))
    .map((f) => ({ path: f.split(path.sep).join('/'), ...digest(path.join(runDir, f)) }));
  const manifest: BundleManifest = {
    format: FORMAT, version: 1, runId: run.runId, group: run.group ?? null, configHash: run.configHash ?? '', configSource: run.configSource,
    host: run.host, location: run.location, os: { platform: process.platform, release: os.release(), arch: process.arch }, node: process.version,
    shard: run.shard ?? null, startedAt: run.startedAt, finishedAt: run.finishedAt, runDir,
    browsers: [
      ...cells.runnable.map((c) => ({ cell: c.name, browser: c.browser, version: versions.get(c.name) ?? null, ran: true })),
      ...cells.notRun.map((c) => ({ cell: c.name, browser: c.browser, version: null, ran: false, reason: c.reason })),
    ],
    share: cells.share ? { matrix: `sha256:${createHash('sha256').update(JSON.stringify(cells.share)).digest('hex')}`, ...cells.share } : null,
    files,
  };
  writeFileSync(path.join(runDir, BUNDLE_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface Bundle {
  /** The folder, as given. */
  dir: string;
  manifest: BundleManifest;
  run: RunResult;
  /** A result's screenshot on this machine (its path in results.json is the source machine's). */
  screenshot(r: JourneyResult): string | undefined;
}

const invalid = (dir: string, why: string): HarnessError => new HarnessError('BUNDLE_INVALID', `Bundle ${dir}: ${why}`);

/**
 * Reads and checks one bundle: its manifest, every file it lists (size and SHA-256), and
 * results.json's shape. Throws a one-sentence error naming the bundle and the file.
 */
export function readBundle(given: string): Bundle {
  const dir = existsSync(given) && statSync(given).isFile() ? path.dirname(given) : given;
  if (!existsSync(dir)) throw invalid(given, 'no such folder.');
  const manifestFile = path.join(dir, BUNDLE_FILE);
  if (!existsSync(manifestFile)) throw invalid(dir, `no ${BUNDLE_FILE} (not a portal-probe run folder, or an incomplete upload).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    throw invalid(dir, `${BUNDLE_FILE} is not valid JSON (truncated?).`);
  }
  const parsed = bundleManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(dir, `${BUNDLE_FILE} field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}.`);
  }
  const manifest = parsed.data;
  for (const f of manifest.files) {
    const file = path.join(dir, f.path);
    if (path.relative(dir, file).startsWith('..')) throw invalid(dir, `${BUNDLE_FILE} lists ${f.path}, outside the bundle.`);
    if (!existsSync(file)) throw invalid(dir, `${f.path} is missing.`);
    const d = digest(file);
    if (d.bytes !== f.bytes) throw invalid(dir, `${f.path} has ${d.bytes} bytes where ${f.bytes} were written (truncated).`);
    if (d.sha256 !== f.sha256) throw invalid(dir, `${f.path} differs from what was written (its SHA-256 does not match).`);
  }
  if (!manifest.files.some((f) => f.path === 'results.json')) throw invalid(dir, `${BUNDLE_FILE} does not list results.json.`);
  const run = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  if (run.runId !== manifest.runId || !Array.isArray(run.results)) throw invalid(dir, `results.json is not the run ${BUNDLE_FILE} describes.`);
  const listed = new Set(manifest.files.map((f) => f.path));
  return {
    dir, manifest, run,
    screenshot(r) {
      if (!r.artifacts.screenshot) return undefined;
      // The source machine's paths (Windows ones too): the part after its run folder.
      const shot = r.artifacts.screenshot;
      if (!shot.startsWith(manifest.runDir)) return undefined;
      const rel = shot.slice(manifest.runDir.length).replace(/\\/g, '/').replace(/^\/+/, '');
      return listed.has(rel) ? path.join(dir, rel) : undefined;
    },
  };
}
