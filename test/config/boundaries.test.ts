/**
 * The folder rules of DESIGN.md are lint rules (eslint.boundaries.js, used by
 * eslint.config.js): each forbidden import is reported, the allowed ones are not. The
 * real tree passing them is `npm run lint`, part of `npm test`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundaries } from '../../eslint.boundaries.js';
import { ROOT } from '../helpers/cli.ts';

// The rule definitions themselves, without the type-aware rules (the snippets are not on disk).
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } }, ...boundaries],
});

async function problems(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return (r?.messages ?? []).map((m) => m.message);
}

test('reporters never import fixtures: they read the typed attachment in core/', async () => {
  const p = await problems('reporters/results-reporter.ts', "import type { StepFailureRecord } from '../fixtures/probe-session.ts';\nexport type X = StepFailureRecord;\n");
  assert.equal(p.length, 1);
  assert.match(p[0] ?? '', /reporters\/ must not import fixtures\//);
  assert.deepEqual(await problems('reporters/results-reporter.ts', "import { readAttachment } from '../core/attachment.ts';\nexport const r = readAttachment;\n"), []);
});

test('core/ imports only types from config/, and nothing above it', async () => {
  assert.deepEqual(await problems('core/plan.ts', "import type { ProbeConfig } from '../config/schema.ts';\nexport type C = ProbeConfig;\n"), []);
  assert.match((await problems('core/plan.ts', "import { configSchema } from '../config/schema.ts';\nexport const s = configSchema;\n"))[0] ?? '', /core\/ may import only types from config\//);
  assert.match((await problems('core/result.ts', "import { ProbeSession } from '../fixtures/probe-session.ts';\nexport const s = ProbeSession;\n"))[0] ?? '', /core\/ must not import fixtures\//);
});

test('a lower stage never imports a higher one, however deep the file', async () => {
  assert.match((await problems('fixtures/checks/headers.ts', "import { formatTable } from '../../reporters/table.ts';\nexport const f = formatTable;\n"))[0] ?? '', /fixtures\/ must not import reporters\//);
  assert.match((await problems('fixtures/probe.ts', "import { main } from '../scripts/cli.ts';\nexport const m = main;\n"))[0] ?? '', /fixtures\/ must not import scripts\//);
  assert.match((await problems('store/sqlite.ts', "import { gate } from '../analysis/gate.ts';\nexport const g = gate;\n"))[0] ?? '', /store\/ must not import analysis\//);
  // The harness knows nothing of the demo portal's flavours, and the demo portal nothing of the harness.
  assert.match((await problems('fixtures/step-wait.ts', "import { startDemoPortal } from '../demo-portal/index.ts';\nexport const s = startDemoPortal;\n"))[0] ?? '', /fixtures\/ must not import demo-portal\//);
  assert.match((await problems('demo-portal/server.ts', "import { classify } from '../core/classify.ts';\nexport const c = classify;\n"))[0] ?? '', /demo-portal\/ must not import core\//);
  // The CLI at the top may import anything.
  assert.deepEqual(await problems('scripts/run.ts', "import { formatTable } from '../reporters/table.ts';\nimport { startDemoPortal } from '../demo-portal/index.ts';\nexport const a = [formatTable, startDemoPortal];\n"), []);
});
