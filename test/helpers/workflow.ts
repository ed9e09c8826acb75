/**
 * Reads a GitHub Actions workflow the way the runner would lay out its commands: each
 * matrix include entry's `portal-probe run` line with its `${{ … }}` expressions filled
 * in, and the merge line, as argv after `npx portal-probe`. Tests run those argv
 * against the real CLI, so the shipped example cannot drift from the flags it has.
 *
 * Only the expressions the example uses are understood (`matrix.X`, `github.run_id`,
 * `github.run_attempt`, `inputs.X` and `inputs.X || 'literal'`); any other one is an
 * error rather than a silent guess.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface WorkflowShare {
  /** The matrix entry's `name` (else the job id). */
  name: string;
  /** The job's `runs-on`, with the entry's values filled in. */
  os: string;
  /** argv after `npx portal-probe`, starting with 'run'. */
  command: string[];
}

export interface WorkflowRunScript {
  job: string;
  /** The step's `name`, else its position (`steps[3]`). */
  step: string;
  /** The `run:` text as written, expressions not expanded. */
  run: string;
}

/** What `${{ github.run_id }}-${{ github.run_attempt }}` becomes. */
export const TEST_RUN_GROUP = 'ci-test-1';
const GITHUB_VALUES: Record<string, string> = { 'github.run_id': 'ci-test', 'github.run_attempt': '1' };

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function loadWorkflow(file: string): Dict {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (!isDict(doc) || !isDict(doc.jobs)) throw new Error(`${file}: not a workflow (no jobs: mapping)`);
  return doc;
}

function jobsOf(doc: Dict): [string, Dict][] {
  return Object.entries(doc.jobs as Dict).flatMap(([id, job]) => (isDict(job) ? [[id, job] as [string, Dict]] : []));
}

function stepsOf(job: Dict): Dict[] {
  return Array.isArray(job.steps) ? job.steps.filter(isDict) : [];
}

/** Every `run:` script in the workflow, unexpanded. */
export function workflowRunScripts(file: string): WorkflowRunScript[] {
  const out: WorkflowRunScript[] = [];
  for (const [id, job] of jobsOf(loadWorkflow(file))) {
    stepsOf(job).forEach((step, i) => {
      if (typeof step.run === 'string') out.push({ job: id, step: typeof step.name === 'string' ? step.name : `steps[${i}]`, run: step.run });
    });
  }
  return out;
}

/** Fills in `${{ … }}` as a scheduled run of matrix entry `matrix` would. */
function expand(text: string, matrix: Dict, where: string): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_whole, expr: string) => {
    const m = /^matrix\.([A-Za-z_][\w-]*)$/.exec(expr);
    if (m) {
      const value = matrix[m[1] as string];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new Error(`${where}: \${{ ${expr} }} has no value in this matrix entry`);
    }
    const fixed = GITHUB_VALUES[expr];
    if (fixed !== undefined) return fixed;
    // A scheduled run has no inputs: `inputs.X || 'default'` is the default, `inputs.X` is empty.
    const input = /^inputs\.[A-Za-z_][\w-]*(?:\s*\|\|\s*'([^']*)')?$/.exec(expr);
    if (input) return input[1] ?? '';
    throw new Error(`${where}: unsupported expression \${{ ${expr} }}`);
  });
}

/** The one line of `script` that starts with `npx portal-probe <sub>`, as argv after `npx portal-probe`. */
function commandLine(script: string, sub: string): string[] | undefined {
  for (const line of script.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'npx' && words[1] === 'portal-probe' && words[2] === sub) return words.slice(2);
  }
  return undefined;
}

function findStep(doc: Dict, sub: string): { id: string; job: Dict; run: string }[] {
  const hits: { id: string; job: Dict; run: string }[] = [];
  for (const [id, job] of jobsOf(doc)) {
    for (const step of stepsOf(job)) {
      if (typeof step.run === 'string' && commandLine(step.run, sub)) hits.push({ id, job, run: step.run });
    }
  }
  return hits;
}

/**
 * Each matrix share's `portal-probe run` argv and the `portal-probe merge` argv. The
 * merge's `bundles/*\/*` glob is kept literal: the caller expands it.
 */
export function workflowCommands(file: string): { shards: WorkflowShare[]; merge: string[] } {
  const doc = loadWorkflow(file);

  const runSteps = findStep(doc, 'run');
  if (runSteps.length === 0) throw new Error(`${file}: no step runs \`npx portal-probe run\``);
  const shards: WorkflowShare[] = [];
  for (const { id, job, run } of runSteps) {
    const strategy = isDict(job.strategy) ? job.strategy : {};
    const matrix = isDict(strategy.matrix) ? strategy.matrix : {};
    const include = Array.isArray(matrix.include) ? matrix.include.filter(isDict) : [];
    if (Object.keys(matrix).some((k) => k !== 'include')) throw new Error(`${file}: jobs.${id}: only strategy.matrix.include entries are understood`);
    for (const [i, entry] of (include.length > 0 ? include : [{}]).entries()) {
      const where = `${file}: jobs.${id}${include.length > 0 ? ` (matrix.include[${i}])` : ''}`;
      const command = commandLine(expand(run, entry, where), 'run');
      if (!command) throw new Error(`${where}: the portal-probe run line is gone once the matrix values are filled in`);
      const name = typeof entry.name === 'string' ? entry.name : id;
      if (typeof job['runs-on'] !== 'string') throw new Error(`${where}: runs-on is not a string`);
      shards.push({ name, os: expand(job['runs-on'], entry, where), command });
    }
  }

  const mergeSteps = findStep(doc, 'merge');
  const mergeStep = mergeSteps[0];
  if (mergeStep === undefined) throw new Error(`${file}: no step runs \`npx portal-probe merge\``);
  if (mergeSteps.length > 1) throw new Error(`${file}: ${mergeSteps.length} steps run \`npx portal-probe merge\`; expected one`);
  const merge = commandLine(expand(mergeStep.run, {}, `${file}: jobs.${mergeStep.id}`), 'merge');
  if (!merge) throw new Error(`${file}: jobs.${mergeStep.id}: the portal-probe merge line is gone once expressions are filled in`);

  return { shards, merge };
}
