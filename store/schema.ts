/**
 * The history database's tables, as kysely types. Portable column types only (text,
 * integer, bigint, double precision): the same schema serves SQLite now and PostgreSQL
 * next. Times are epoch milliseconds; labels and summaries are JSON text.
 */
import type { Generated } from 'kysely';

export interface SchemaTable { version: number; applied_at: number }

export interface RunsTable {
  id: string;
  /** Shared by the runs of one matrix spread over machines (issue 08); null for a single run. */
  group_id: string | null;
  started_at: number;
  finished_at: number;
  config_source: string;
  host: string;
  location: string;
  exit_code: number;
  interrupted: string | null;
  /** JSON of RunSummary. */
  summary: string;
  /** JSON of the run's labels; run_labels holds them again for querying. */
  labels: string;
  /** v4: the machine's OS, its share of a sharded matrix ("2/3"), the config's identity. */
  os: string | null;
  shard: string | null;
  config_hash: string | null;
}

export interface RunLabelsTable { run_id: string; name: string; value: string }

export interface ResultsTable {
  run_id: string;
  id: string;
  portal: string;
  environment: string;
  journey: string;
  /** 'journey' for login and script journeys, else the check's kind. */
  kind: string;
  account: string | null;
  browser: string;
  browser_version: string | null;
  viewport: string;
  location: string;
  started_at: number;
  duration_ms: number | null;
  outcome: string;
  reason: string | null;
  failed_step: string | null;
  category: string | null;
  cause: string | null;
  error_message: string | null;
  final_url: string | null;
  verdict: string | null;
  verdict_reason: string | null;
  /** v4: a check's requirement ids (JSON array), and the masked failure screenshot's path on the machine that ran it. */
  requirements: string | null;
  screenshot: string | null;
}

export interface StepsTable {
  run_id: string;
  result_id: string;
  idx: number;
  name: string;
  status: string;
  duration_ms: number | null;
  /** The step's timing verdict when it was recorded (regressed samples stay out of baselines). */
  verdict: string | null;
  /** 1 once accepted as the new normal (`portal-probe gate --accept`). */
  accepted: Generated<number>;
  /** v4: the step's budget when it ran. */
  budget_ms: number | null;
}

export interface MeasurementsTable {
  run_id: string;
  result_id: string;
  name: string;
  value: number;
  unit: string;
  expected: number | null;
  lo: number | null;
  hi: number | null;
  at_least: number | null;
}

/** One incident key's rules state (alerting/incidents.ts), as JSON. */
export interface AlertStateTable { key: string; state: string; updated_at: number }

/**
 * A message to send, durable before it is sent. `state`: pending → sent, or dead (refused
 * for good). `sending_since` is set while a send is under way: found set at start-up, the
 * send may have reached Slack (the one message that may be posted twice).
 */
export interface OutboxTable {
  id: string;
  /** Order of creation: messages of one incident are sent in this order. */
  seq: number;
  incident: string;
  kind: string;
  /** The webhook's name. */
  route: string;
  /** JSON of the message body. */
  payload: string;
  created_at: number;
  state: string;
  attempts: Generated<number>;
  next_at: number;
  sending_since: number | null;
  last_error: string | null;
  sent_at: number | null;
}

export interface Database {
  pp_schema: SchemaTable;
  runs: RunsTable;
  run_labels: RunLabelsTable;
  results: ResultsTable;
  steps: StepsTable;
  measurements: MeasurementsTable;
  alert_state: AlertStateTable;
  outbox: OutboxTable;
  pp_write_probe: WriteProbeTable;
}

export interface WriteProbeTable { writer: string; at: number }
