// Runs before `npm start` and `npm test` (npm pre-scripts), so a fresh clone needs no
// other set-up step. Plain JS: it must work before dependencies are installed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const lock = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.portal-probe-deps');
const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';

if (want !== have) {
  console.log('portal-probe: installing npm dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('portal-probe: "npm ci" failed; see the output above.');
    process.exit(2);
  }
  writeFileSync(stamp, want + '\n');
}

// Browsers: Playwright's builds where the network allows, else the system's (apt as root).
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const r = spawnSync(process.execPath, [tsx, path.join(root, 'scripts', 'cli.ts'), 'setup', '--if-needed'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 2);
