/**
 * The history store: one interface, and one implementation of it in portable SQL through
 * kysely. A database engine supplies only the connection, its write transaction and its
 * error wording (store/sqlite.ts now; PostgreSQL later): nothing here is engine-specific.
 *
 * What is stored is what results.json holds, already redacted: ids, outcomes, step
 * timings, check measurements. Never a secret.
 */
import os from 'node:os';
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { Measurement, Outcome, RunSummary, StepStatus } from '../core/result.ts';
import type { Database } from './schema.ts';

/** What a baseline is kept for: one journey's cell at one location. */
export interface ResultKey { portal: string; journey: string; browser: string; viewport: string; location: string }

export interface StoredStep { name: string; status: StepStatus; durationMs: number | null; verdict: string | null; accepted: boolean; budgetMs?: number | null }

export interface StoredResult {
  runId: string;
  id: string;
  portal: string;
  environment: string;
  journey: string;
  /** 'journey' for login and script journeys, else the check's kind. */
  kind: string;
  account: string | null;
  browser: string;
  browserVersion: string | null;
  viewport: string;
  location: string;
  startedAt: number;
  durationMs: number | null;
  outcome: Outcome;
  reason: string | null;
  failedStep: string | null;
  category: string | null;
  cause: string | null;
  errorMessage: string | null;
  finalUrl: string | null;
  verdict: string | null;
  verdictReason: string | null;
  steps: StoredStep[];
  measurements: Measurement[];
  /** A check's requirement ids. */
  requirements?: string[];
  /** The masked failure screenshot's path on the machine that ran it. */
  screenshot?: string | null;
}

export interface StoredRun {
  id: string;
  groupId: string | null;
  startedAt: number;
  finishedAt: number;
  configSource: string;
  host: string;
  location: string;
  exitCode: number;
  interrupted: string | null;
  summary: RunSummary;
  labels: Record<string, string>;
  /** v4: the machine's OS, its share of a sharded matrix ("2/3" — checks on 1: "2/3 checks 1"), the config's identity. */
  os?: string | null;
  shard?: string | null;
  configHash?: string | null;
}

export interface RunRecord { run: StoredRun; results: StoredResult[] }

export interface RunQuery {
  /** Runs carrying every one of these labels. */
  labels?: Record<string, string>;
  ids?: readonly string[];
  /** The runs of one run group (the machines of one matrix run). */
  group?: string;
  /** Runs started before this time (ms). */
  before?: number;
  since?: number;
  portal?: string;
  /** Newest first, at most this many (default 20). */
  limit?: number;
}

/** A message for the outbox (alerting/outbox.ts decides what, the store keeps it). */
export interface OutboxInput { id: string; incident: string; kind: string; route: string; payload: string; createdAt: number }

export interface OutboxRow extends OutboxInput {
  seq: number;
  state: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAt: number;
  sendingSince: number | null;
  lastError: string | null;
  sentAt: number | null;
}

export type OutboxPatch = Partial<Pick<OutboxRow, 'state' | 'attempts' | 'nextAt' | 'sendingSince' | 'lastError' | 'sentAt'>>;

export interface HistoryStore {
  /** Where it lives, for messages: a file path, or a database URL without its password. */
  readonly where: string;
  /** Records a finished run and all its results in one transaction: all of it lands, or none. */
  record(r: RunRecord): Promise<void>;
  runs(q: RunQuery): Promise<StoredRun[]>;
  results(runIds: readonly string[]): Promise<StoredResult[]>;
  /** One key's results, newest first. */
  keyHistory(key: ResultKey, o: { limit: number; excludeRun?: string }): Promise<StoredResult[]>;
  /** Marks the steps of these runs as the new normal; returns how many steps changed. */
  accept(runIds: readonly string[]): Promise<number>;
  /** Deletes the runs (and sent or dead messages) older than `beforeMs`; returns how many runs. */
  prune(beforeMs: number): Promise<number>;
  /** Every incident key's saved rules state. */
  alertStates(): Promise<{ key: string; state: string }[]>;
  /** Saves incident keys' states and queues their messages in one transaction: a state is never saved without its messages. */
  saveAlerts(states: readonly { key: string; state: string }[], messages: readonly OutboxInput[], at: number): Promise<void>;
  /** Messages not yet sent or given up, oldest first. */
  unsent(): Promise<OutboxRow[]>;
  updateOutbox(id: string, patch: OutboxPatch): Promise<void>;
  /** A small real write (this process's row of pp_write_probe): throws, naming the store, when it cannot be written. For readiness. */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

/** What an engine adapter gives the portable store. */
export interface Engine {
  db: Kysely<Database>;
  where: string;
  /** Runs fn in one write transaction (the engine decides how to take its write lock). */
  transact<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Stores a table's rows in its primary key's order where the engine can (SQLite: WITHOUT
   * ROWID), so that a run's steps sit together; an engine that clusters otherwise returns it unchanged.
   */
  clustered<T extends string, C extends string>(t: CreateTableBuilder<T, C>): CreateTableBuilder<T, C>;
  /** Turns an engine error into a sentence naming the store. */
  explain(e: unknown, doing: string): Error;
}

const IN_CHUNK = 500;
/** Consecutive slices of at most `size`: every element once, in order. */
function batches<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
const chunks = <T>(xs: readonly T[]): T[][] => batches(xs, IN_CHUNK);

type ResultRow = Database['results'];

export class SqlHistoryStore implements HistoryStore {
  constructor(private readonly engine: Engine) {}

  get where(): string {
    return this.engine.where;
  }

  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.engine.explain(e, doing);
    }
  }

  record(r: RunRecord): Promise<void> {
    return this.guard(`recording run ${r.run.id}`, () => this.engine.transact(async (db) => {
      const run = r.run;
      await db.insertInto('runs').values({
        id: run.id, group_id: run.groupId, started_at: run.startedAt, finished_at: run.finishedAt, config_source: run.configSource,
        host: run.host, location: run.location, exit_code: run.exitCode, interrupted: run.interrupted,
        summary: JSON.stringify(run.summary), labels: JSON.stringify(run.labels),
        os: run.os ?? null, shard: run.shard ?? null, config_hash: run.configHash ?? null,
      }).execute();
      const labels = Object.entries(run.labels).map(([name, value]) => ({ run_id: run.id, name, value }));
      for (const c of chunks(labels)) await db.insertInto('run_labels').values(c).execute();
      const rows: ResultRow[] = r.results.map((x) => ({
        run_id: run.id, id: x.id, portal: x.portal, environment: x.environment, journey: x.journey, kind: x.kind, account: x.account,
        browser: x.browser, browser_version: x.browserVersion, viewport: x.viewport, location: x.location, started_at: x.startedAt,
        duration_ms: x.durationMs, outcome: x.outcome, reason: x.reason, failed_step: x.failedStep, category: x.category, cause: x.cause,
        error_message: x.errorMessage, final_url: x.finalUrl, verdict: x.verdict, verdict_reason: x.verdictReason,
        requirements: x.requirements?.length ? JSON.stringify(x.requirements) : null, screenshot: x.screenshot ?? null,
      }));
      // Each row binds ~24 values; stay well under every engine's parameter limit.
      for (const batch of batches(rows, 36)) await db.insertInto('results').values(batch).execute();
      const steps = r.results.flatMap((x) => x.steps.map((s, idx) => ({
        run_id: run.id, result_id: x.id, idx, name: s.name, status: s.status, duration_ms: s.durationMs, verdict: s.verdict, accepted: s.accepted ? 1 : 0,
        budget_ms: s.budgetMs ?? null,
      })));
      for (const batch of batches(steps, 90)) await db.insertInto('steps').values(batch).execute();
      const measurements = r.results.flatMap((x) => x.measurements.map((m) => ({
        run_id: run.id, result_id: x.id, name: m.name, value: m.value, unit: m.unit,
        expected: m.expected ?? null, lo: m.lo ?? null, hi: m.hi ?? null, at_least: m.atLeast ?? null,
      })));
      for (const batch of batches(measurements, 80)) await db.insertInto('measurements').values(batch).execute();
    }));
  }

  runs(q: RunQuery): Promise<StoredRun[]> {
    return this.guard('listing runs', async () => {
      let query = this.engine.db.selectFrom('runs').selectAll();
      for (const [name, value] of Object.entries(q.labels ?? {})) {
        query = query.where('id', 'in', this.engine.db.selectFrom('run_labels').select('run_id').where('name', '=', name).where('value', '=', value));
      }
      if (q.ids) query = query.where('id', 'in', q.ids.length ? [...q.ids] : ['']);
      if (q.group !== undefined) query = query.where('group_id', '=', q.group);
      if (q.before !== undefined) query = query.where('started_at', '<', q.before);
      if (q.since !== undefined) query = query.where('started_at', '>=', q.since);
      if (q.portal !== undefined) query = query.where('id', 'in', this.engine.db.selectFrom('results').select('run_id').where('portal', '=', q.portal));
      const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 20).execute();
      return rows.map((x) => ({
        id: x.id, groupId: x.group_id, startedAt: Number(x.started_at), finishedAt: Number(x.finished_at), configSource: x.config_source,
        host: x.host, location: x.location, exitCode: Number(x.exit_code), interrupted: x.interrupted,
        summary: JSON.parse(x.summary) as RunSummary, labels: JSON.parse(x.labels) as Record<string, string>,
        os: x.os ?? null, shard: x.shard ?? null, configHash: x.config_hash ?? null,
      }));
    });
  }

  results(runIds: readonly string[]): Promise<StoredResult[]> {
    return this.guard('reading results', async () => {
      const out: StoredResult[] = [];
      for (const c of chunks(runIds)) {
        const rows = await this.engine.db.selectFrom('results').selectAll().where('run_id', 'in', c).orderBy('started_at', 'desc').execute();
        out.push(...await this.withDetails(rows));
      }
      return out;
    });
  }

  keyHistory(key: ResultKey, o: { limit: number; excludeRun?: string }): Promise<StoredResult[]> {
    return this.guard('reading a baseline', async () => {
      let query = this.engine.db.selectFrom('results').selectAll()
        .where('portal', '=', key.portal).where('journey', '=', key.journey).where('browser', '=', key.browser)
        .where('viewport', '=', key.viewport).where('location', '=', key.location);
      if (o.excludeRun !== undefined) query = query.where('run_id', '<>', o.excludeRun);
      const rows = await query.orderBy('started_at', 'desc').limit(o.limit).execute();
      return this.withDetails(rows);
    });
  }

  private async withDetails(rows: ResultRow[]): Promise<StoredResult[]> {
    if (rows.length === 0) return [];
    const runIds = [...new Set(rows.map((r) => r.run_id))];
    const resultIds = [...new Set(rows.map((r) => r.id))];
    // A key's history has one result id across many runs: ask for just those (the primary keys lead with run and result).
    const narrow = resultIds.length <= IN_CHUNK ? resultIds : undefined;
    const wanted = new Set(rows.map((r) => `${r.run_id}\u0000${r.id}`));
    const steps = new Map<string, StoredStep[]>();
    const measurements = new Map<string, Measurement[]>();
    for (const c of chunks(runIds)) {
      let stepQuery = this.engine.db.selectFrom('steps').selectAll().where('run_id', 'in', c);
      if (narrow) stepQuery = stepQuery.where('result_id', 'in', narrow);
      // Ordered here, not by the engine: a sort there costs more than the rows' own order.
      for (const s of (await stepQuery.execute()).sort((x, y) => x.idx - y.idx)) {
        const k = `${s.run_id}\u0000${s.result_id}`;
        if (!wanted.has(k)) continue;
        const list = steps.get(k) ?? [];
        list.push({
          name: s.name, status: s.status as StepStatus, durationMs: s.duration_ms === null ? null : Number(s.duration_ms), verdict: s.verdict, accepted: Number(s.accepted) === 1,
          budgetMs: s.budget_ms === null || s.budget_ms === undefined ? null : Number(s.budget_ms),
        });
        steps.set(k, list);
      }
      let measurementQuery = this.engine.db.selectFrom('measurements').selectAll().where('run_id', 'in', c);
      if (narrow) measurementQuery = measurementQuery.where('result_id', 'in', narrow);
      for (const m of await measurementQuery.execute()) {
        const k = `${m.run_id}\u0000${m.result_id}`;
        if (!wanted.has(k)) continue;
        const list = measurements.get(k) ?? [];
        list.push({
          name: m.name, value: Number(m.value), unit: m.unit,
          ...(m.expected === null ? {} : { expected: Number(m.expected) }), ...(m.lo === null ? {} : { lo: Number(m.lo) }),
          ...(m.hi === null ? {} : { hi: Number(m.hi) }), ...(m.at_least === null ? {} : { atLeast: Number(m.at_least) }),
        });
        measurements.set(k, list);
      }
    }
    return rows.map((r) => {
      const k = `${r.run_id}\u0000${r.id}`;
      return {
        runId: r.run_id, id: r.id, portal: r.portal, environment: r.environment, journey: r.journey, kind: r.kind, account: r.account,
        browser: r.browser, browserVersion: r.browser_version, viewport: r.viewport, location: r.location, startedAt: Number(r.started_at),
        durationMs: r.duration_ms === null ? null : Number(r.duration_ms), outcome: r.outcome as Outcome, reason: r.reason, failedStep: r.failed_step,
        category: r.category, cause: r.cause, errorMessage: r.error_message, finalUrl: r.final_url, verdict: r.verdict, verdictReason: r.verdict_reason,
        steps: steps.get(k) ?? [], measurements: measurements.get(k) ?? [],
        requirements: r.requirements ? JSON.parse(r.requirements) as string[] : [], screenshot: r.screenshot ?? null,
      };
    });
  }

  accept(runIds: readonly string[]): Promise<number> {
    return this.guard('accepting runs', () => this.engine.transact(async (db) => {
      let n = 0;
      for (const c of chunks(runIds)) {
        const r = await db.updateTable('steps').set({ accepted: 1 }).where('run_id', 'in', c).where('accepted', '=', 0).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    }));
  }

  prune(beforeMs: number): Promise<number> {
    return this.guard('pruning old runs', () => this.engine.transact(async (db) => {
      const old = db.selectFrom('runs').select('id').where('started_at', '<', beforeMs);
      for (const table of ['steps', 'measurements', 'results', 'run_labels'] as const) {
        await db.deleteFrom(table).where('run_id', 'in', old).execute();
      }
      const r = await db.deleteFrom('runs').where('started_at', '<', beforeMs).executeTakeFirst();
      await db.deleteFrom('outbox').where('state', '<>', 'pending').where('created_at', '<', beforeMs).execute();
      await db.deleteFrom('pp_write_probe').where('at', '<', beforeMs).execute();
      return Number(r.numDeletedRows);
    }));
  }

  probeWrite(): Promise<void> {
    const writer = `${os.hostname()}:${process.pid}`;
    return this.guard('checking that it can be written', () => this.engine.transact(async (db) => {
      // A real write (an engine may skip rewriting an unchanged row): this process's row, the time now.
      const at = Date.now();
      const r = await db.updateTable('pp_write_probe').set({ at }).where('writer', '=', writer).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) await db.insertInto('pp_write_probe').values({ writer, at }).execute();
    }));
  }

  alertStates(): Promise<{ key: string; state: string }[]> {
    return this.guard('reading incident state', () => this.engine.db.selectFrom('alert_state').select(['key', 'state']).orderBy('key').execute());
  }

  saveAlerts(states: readonly { key: string; state: string }[], messages: readonly OutboxInput[], at: number): Promise<void> {
    return this.guard('saving incident state', () => this.engine.transact(async (db) => {
      for (const s of states) {
        const r = await db.updateTable('alert_state').set({ state: s.state, updated_at: at }).where('key', '=', s.key).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) await db.insertInto('alert_state').values({ key: s.key, state: s.state, updated_at: at }).execute();
      }
      if (messages.length === 0) return;
      // Inside the write transaction: no other writer can take the same numbers.
      const top = await db.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('s')).executeTakeFirst();
      let seq = top?.s === null || top?.s === undefined ? 0 : Number(top.s);
      for (const m of messages) {
        await db.insertInto('outbox').values({
          id: m.id, seq: ++seq, incident: m.incident, kind: m.kind, route: m.route, payload: m.payload, created_at: m.createdAt,
          state: 'pending', attempts: 0, next_at: m.createdAt, sending_since: null, last_error: null, sent_at: null,
        }).execute();
      }
    }));
  }

  unsent(): Promise<OutboxRow[]> {
    return this.guard('reading the outbox', async () => {
      const rows = await this.engine.db.selectFrom('outbox').selectAll().where('state', '=', 'pending').orderBy('seq').execute();
      return rows.map((r) => ({
        id: r.id, seq: Number(r.seq), incident: r.incident, kind: r.kind, route: r.route, payload: r.payload, createdAt: Number(r.created_at),
        state: r.state as OutboxRow['state'], attempts: Number(r.attempts), nextAt: Number(r.next_at),
        sendingSince: r.sending_since === null ? null : Number(r.sending_since), lastError: r.last_error, sentAt: r.sent_at === null ? null : Number(r.sent_at),
      }));
    });
  }

  updateOutbox(id: string, patch: OutboxPatch): Promise<void> {
    return this.guard('updating the outbox', () => this.engine.transact(async (db) => {
      await db.updateTable('outbox').set({
        ...(patch.state === undefined ? {} : { state: patch.state }),
        ...(patch.attempts === undefined ? {} : { attempts: patch.attempts }),
        ...(patch.nextAt === undefined ? {} : { next_at: patch.nextAt }),
        ...(patch.sendingSince === undefined ? {} : { sending_since: patch.sendingSince }),
        ...(patch.lastError === undefined ? {} : { last_error: patch.lastError }),
        ...(patch.sentAt === undefined ? {} : { sent_at: patch.sentAt }),
      }).where('id', '=', id).execute();
    }));
  }

  async close(): Promise<void> {
    await this.engine.db.destroy();
  }
}
