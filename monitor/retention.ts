/**
 * The monitor's results folders: every tick writes one (results.json, Playwright's HTML
 * report, artifacts), so a monitor running for months would fill its disk. Folders older
 * than `monitor.keepResultsDays` are deleted — only portal-probe's own run folders: a name
 * that is a run id, and a plan.json or results.json inside. The runs stay in the history
 * store (pruned by `history.retentionDays`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/** A run id: the start time (ISO, ":" and "." as "-") and 6 hex digits. */
const RUN_ID = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-[0-9a-f]{6}$/;

function startedAt(name: string): number | undefined {
  const m = RUN_ID.exec(name);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Deletes the run folders under `outputDir` started before `beforeMs`, one at a time without
 * blocking the ticks; returns their names. A folder that cannot be deleted is left, and reported.
 */
export async function pruneResults(outputDir: string, beforeMs: number, onError: (folder: string, e: unknown) => void = () => undefined): Promise<string[]> {
  if (!existsSync(outputDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(outputDir)) {
    const at = startedAt(name);
    if (at === undefined || at >= beforeMs) continue;
    const dir = path.join(outputDir, name);
    try {
      if (!statSync(dir).isDirectory() || !(existsSync(path.join(dir, 'plan.json')) || existsSync(path.join(dir, 'results.json')))) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    } catch (e) {
      onError(dir, e);
    }
  }
  return removed;
}
