/**
 * The compatibility report's JSON: one zod schema, from which report/report.schema.json
 * (JSON Schema, draft 2020-12) is generated for other tools (`tsx scripts/report-schema.ts`;
 * a test checks the file is current). Version 1: fields are only ever added.
 */
import { z } from 'zod';

export const REPORT_FORMAT = 'portal-probe-report';

const outcome = z.enum(['passed', 'degraded', 'failed', 'error', 'not-run']).describe('The outcome of a result; for a cell over several runs, the worst that happened (failed > error > degraded > passed), or not-run when nothing ran.');

const stepStats = z.object({
  name: z.string(),
  samples: z.number().int().describe('Passed runs of this step with a timing.'),
  min: z.number().nullable(), p25: z.number().nullable(), median: z.number().nullable(), p75: z.number().nullable(), max: z.number().nullable(),
  budgetMs: z.number().nullable(),
  overBudget: z.number().int().describe('Samples over the budget.'),
}).describe('A step\'s timing in one cell over the run set, in milliseconds.');

const measurement = z.object({
  name: z.string(), value: z.number(), unit: z.string(),
  expected: z.number().optional(), lo: z.number().optional(), hi: z.number().optional(), atLeast: z.number().optional(),
});

const cell = z.object({
  column: z.string().describe('The column id, browser/viewport.'),
  outcome,
  counts: z.object({ passed: z.number().int(), degraded: z.number().int(), failed: z.number().int(), error: z.number().int(), notRun: z.number().int() }),
  /** How many runs (run groups) of the set have a result for this cell. */
  runs: z.number().int(),
  failedStep: z.string().optional(),
  category: z.string().optional(),
  errorMessage: z.string().optional(),
  reason: z.string().optional().describe('Why it was not run (or the harness fault), when it was not.'),
  since: z.string().nullable().describe('For a failing cell: when the failures that continue to its latest result began (ISO time), from the history; null when unknown.'),
  versions: z.array(z.string()).describe('Browser versions seen.'),
  hosts: z.array(z.string()),
  locations: z.array(z.string()),
  duplicates: z.number().int().describe('Results beyond the first of this cell within one run group: the cell ran on more than one machine. Kept, never overwritten.'),
  steps: z.array(stepStats),
  measurements: z.array(measurement).describe('A check\'s measurements, from its latest result.'),
  screenshot: z.string().optional().describe('The latest failure\'s masked screenshot: a path relative to the report, when copied beside it.'),
  latestRun: z.string(),
  latestAt: z.string(),
});

const trendPoint = z.object({ run: z.string(), at: z.string(), outcome, durationMs: z.number().nullable() });

export const reportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(1),
  generatedAt: z.string(),
  title: z.string(),
  source: z.object({ kind: z.enum(['store', 'bundles']), where: z.array(z.string()), selection: z.string().describe('How the run set was chosen, in words.') }),
  labels: z.record(z.string(), z.array(z.string())).describe('Each label of the run set (vendorVersion, …) and its values.'),
  locations: z.array(z.string()),
  runs: z.array(z.object({
    id: z.string(), group: z.string().nullable(), host: z.string(), location: z.string(), startedAt: z.string(), finishedAt: z.string(),
    os: z.string().nullable(), shard: z.string().nullable(), configHash: z.string().nullable(), labels: z.record(z.string(), z.string()),
  })),
  columns: z.array(z.object({ id: z.string(), browser: z.string(), viewport: z.string(), versions: z.array(z.string()) })),
  rows: z.array(z.object({
    id: z.string().describe('portal › journey'),
    portal: z.string(), journey: z.string(),
    kind: z.string().describe('"journey" for login and script journeys, else the check\'s kind.'),
    requirements: z.array(z.string()),
    cells: z.array(cell).describe('Only the columns this row has results in (a check runs in one cell; phones only in some browsers).'),
  })),
  trends: z.array(z.object({ row: z.string(), column: z.string(), points: z.array(trendPoint) })).describe('Each cell\'s results over the history window, oldest first.'),
  checksRanOn: z.array(z.string()).describe('Where the session and security checks ran (host, and shard when sharded).'),
  summary: z.object({
    cells: z.number().int(), passed: z.number().int(), degraded: z.number().int(), failed: z.number().int(), error: z.number().int(), notRun: z.number().int(),
    lines: z.array(z.string()).describe('The one-screen summary, one sentence per line.'),
  }),
  warnings: z.array(z.string()),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportCell = Report['rows'][number]['cells'][number];
export type ReportOutcome = z.infer<typeof outcome>;

/** The JSON Schema document report/report.schema.json holds. */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/portal-probe/portal-probe/report/report.schema.json',
    title: 'portal-probe compatibility report',
    // As an input schema: objects allow properties a later version 1 adds.
    ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12', io: 'input' }),
  };
}
