/**
 * The embedded store: one SQLite file through better-sqlite3 (12.x: 13 needs Node 22).
 * Everything SQLite-specific lives here and only here: WAL, the busy timeout, taking the
 * write lock at the start of a transaction (BEGIN IMMEDIATE, so two writers queue instead
 * of failing on a lock upgrade), and SQLite's error codes.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { HarnessError } from '../core/errors.ts';
import type { Database } from './schema.ts';
import { SqlHistoryStore, type Engine } from './store.ts';
import { migrate } from './migrate.ts';

/** How long a writer waits for another one (a run recording while another does) before giving up. */
const BUSY_TIMEOUT_MS = 30_000;

function code(e: unknown): string {
  return e !== null && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
}

function explainer(file: string) {
  return (e: unknown, doing: string): Error => {
    if (e instanceof HarnessError) return e;
    const c = code(e);
    const detail = e instanceof Error ? e.message : String(e);
    if (c === 'SQLITE_NOTADB' || c.startsWith('SQLITE_CORRUPT')) {
      return new HarnessError('STORE_CORRUPT', `The history store ${file} is corrupt or not a SQLite database (${detail}); move it aside to start a new history.`, { cause: e });
    }
    if (c.startsWith('SQLITE_CANTOPEN') || c.startsWith('SQLITE_READONLY') || c === 'SQLITE_PERM' || /^E[A-Z]+$/.test(c) || c.startsWith('SQLITE_IOERR')) {
      return new HarnessError('STORE_UNWRITABLE', `The history store ${file} cannot be written (${detail}); set "store" in the config or --store to a writable file.`, { cause: e });
    }
    if (c.startsWith('SQLITE_BUSY') || c.startsWith('SQLITE_LOCKED')) {
      return new HarnessError('STORE_UNWRITABLE', `The history store ${file} stayed locked by another writer for ${BUSY_TIMEOUT_MS / 1000} s while ${doing}.`, { cause: e });
    }
    return new HarnessError('STORE_UNWRITABLE', `The history store ${file} failed while ${doing}: ${detail}.`, { cause: e });
  };
}

export async function openSqliteStore(file: string): Promise<SqlHistoryStore> {
  const explain = explainer(file);
  let raw: BetterSqlite3.Database;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    raw = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw explain(e, 'opening it');
  }
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    // History queries read a few thousand scattered rows: keep the hot pages in memory (64 MiB at most).
    raw.pragma('cache_size = -65536');
  } catch (e) {
    raw.close();
    throw explain(e, 'opening it');
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  const engine: Engine = {
    db,
    where: file,
    explain,
    clustered: (t) => t.modifyEnd(sql`without rowid`),
    transact: (fn) => db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const out = await fn(conn);
        await sql`commit`.execute(conn);
        return out;
      } catch (e) {
        try {
          await sql`rollback`.execute(conn);
        } catch {
          // Already rolled back by SQLite.
        }
        throw e;
      }
    }),
  };
  const store = new SqlHistoryStore(engine);
  try {
    await migrate(engine);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw explain(e, 'preparing its schema');
  }
  return store;
}
