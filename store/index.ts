/**
 * Opens the history store a run, `history` or `gate` names: a file path is the embedded
 * SQLite store (the default, `.portal-probe/history.db`). A PostgreSQL URL will select the
 * shared store (a later issue) behind the same HistoryStore interface.
 */
import path from 'node:path';
import { HarnessError } from '../core/errors.ts';
import { openSqliteStore } from './sqlite.ts';
import type { HistoryStore } from './store.ts';

export type { HistoryStore, OutboxInput, OutboxPatch, OutboxRow, ResultKey, RunQuery, RunRecord, StoredResult, StoredRun, StoredStep } from './store.ts';
export { fromRun, keyOf, timedKind, type StepVerdicts } from './record.ts';

export const DEFAULT_STORE = '.portal-probe/history.db';

export async function openStore(target: string, cwd: string): Promise<HistoryStore> {
  if (/^postgres(ql)?:\/\//i.test(target)) {
    throw new HarnessError('USAGE', `store ${target.replace(/\/\/[^@/]*@/, '//…@')}: PostgreSQL stores are not supported yet; use a file path.`);
  }
  return openSqliteStore(path.resolve(cwd, target));
}
