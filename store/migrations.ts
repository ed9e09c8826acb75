/**
 * Versioned migrations, run at start-up inside one write transaction, written with kysely's
 * schema builder so that PostgreSQL runs them unchanged. A database from a newer
 * portal-probe (a version this code does not know) is refused, never altered.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Engine } from './store.ts';

export interface Migration { version: number; up(db: Kysely<Database>, engine: Pick<Engine, 'clustered'>): Promise<void> }

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    async up(db, engine) {
      await db.schema.createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text')
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .addColumn('config_source', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('exit_code', 'integer', (c) => c.notNull())
        .addColumn('interrupted', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('runs_started').on('runs').column('started_at').execute();
      await engine.clustered(db.schema.createTable('run_labels')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_labels_pk', ['run_id', 'name']))
        .execute();
      await db.schema.createIndex('run_labels_value').on('run_labels').columns(['name', 'value']).execute();
      await engine.clustered(db.schema.createTable('results')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('portal', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('journey', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('account', 'text')
        .addColumn('browser', 'text', (c) => c.notNull())
        .addColumn('browser_version', 'text')
        .addColumn('viewport', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_ms', 'double precision')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('failed_step', 'text')
        .addColumn('category', 'text')
        .addColumn('cause', 'text')
        .addColumn('error_message', 'text')
        .addColumn('final_url', 'text')
        .addColumn('verdict', 'text')
        .addColumn('verdict_reason', 'text')
        .addPrimaryKeyConstraint('results_pk', ['run_id', 'id']))
        .execute();
      // A key's history, newest first: the baseline query.
      await db.schema.createIndex('results_key').on('results').columns(['portal', 'journey', 'browser', 'viewport', 'location', 'started_at']).execute();
      await engine.clustered(db.schema.createTable('steps')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('result_id', 'text', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'double precision')
        .addColumn('verdict', 'text')
        .addColumn('accepted', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('steps_pk', ['run_id', 'result_id', 'idx']))
        .execute();
      await engine.clustered(db.schema.createTable('measurements')
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('result_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'double precision', (c) => c.notNull())
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('expected', 'double precision')
        .addColumn('lo', 'double precision')
        .addColumn('hi', 'double precision')
        .addColumn('at_least', 'double precision')
        .addPrimaryKeyConstraint('measurements_pk', ['run_id', 'result_id', 'name']))
        .execute();
    },
  },
  {
    // The monitor's durable state: each incident key's rules state, and the outbox of messages to send.
    version: 2,
    async up(db) {
      await db.schema.createTable('alert_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull().unique())
        .addColumn('incident', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('sending_since', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('outbox_state').on('outbox').columns(['state', 'seq']).execute();
    },
  },
  {
    // Readiness: who last proved the store writable, and when (one row per writer; the monitor's /readyz).
    version: 3,
    async up(db) {
      await db.schema.createTable('pp_write_probe')
        .addColumn('writer', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  {
    // The compatibility report: each step's budget, a check's requirement ids, a failure's masked screenshot.
    version: 4,
    async up(db) {
      await db.schema.alterTable('steps').addColumn('budget_ms', 'double precision').execute();
      // And where a run of a matrix spread over machines ran: OS, shard, config identity.
      for (const column of ['os', 'shard', 'config_hash'] as const) await db.schema.alterTable('runs').addColumn(column, 'text').execute();
      await db.schema.alterTable('results').addColumn('requirements', 'text').execute();
      await db.schema.alterTable('results').addColumn('screenshot', 'text').execute();
    },
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
