/**
 * Brings a store's schema up to date at start-up, in one write transaction, so two
 * processes starting at once migrate it once. Refuses a database this code cannot read:
 * one from a newer portal-probe, or one that is something else's.
 */
import { HarnessError } from '../core/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import type { Engine } from './store.ts';

export async function migrate(engine: Engine): Promise<void> {
  await engine.transact(async (db) => {
    const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
    if (!tables.has('pp_schema')) {
      if (tables.size > 0) {
        throw new HarnessError('STORE_CORRUPT', `The history store ${engine.where} holds tables that are not portal-probe's (${[...tables].slice(0, 3).join(', ')}); point "store" or --store at a file of its own.`);
      }
      await db.schema.createTable('pp_schema').addColumn('version', 'integer', (c) => c.primaryKey()).addColumn('applied_at', 'bigint', (c) => c.notNull()).execute();
    }
    const row = await db.selectFrom('pp_schema').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
    const current = row?.v === null || row?.v === undefined ? 0 : Number(row.v);
    if (current > SCHEMA_VERSION) {
      throw new HarnessError('STORE_VERSION', `The history store ${engine.where} was written by a newer portal-probe (schema version ${current}; this one knows up to ${SCHEMA_VERSION}): upgrade portal-probe, or point --store at another file.`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await m.up(db, engine);
      await db.insertInto('pp_schema').values({ version: m.version, applied_at: Date.now() }).execute();
    }
  });
}
