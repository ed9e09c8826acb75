/**
 * Writes report/report.schema.json from the report's zod schema (report/schema.ts):
 *   tsx scripts/report-schema.ts
 * test/report/report.test.ts fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../report/schema.ts';

const file = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'report', 'report.schema.json');
writeFileSync(file, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
