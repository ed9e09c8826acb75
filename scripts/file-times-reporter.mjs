/**
 * A node:test reporter that writes how long each test file took, one "<ms>\t<file>" line per
 * file: from the moment the runner takes the file up to the moment it takes up the next (or
 * ends). That counts its hooks (a `before` that runs a whole portal-probe run) and its start-up,
 * which the tests' own durations leave out. Right only when files run one at a time, as
 * scripts/run-tests.ts runs them by default. (Plain JS: node loads a reporter before any --import hook.)
 */
/** @param {AsyncIterable<{ type: string, data: { name?: string, file?: string } }>} source */
export default async function* fileTimes(source) {
  /** @type {{ file: string, at: number } | undefined} */
  let current;
  for await (const ev of source) {
    // A file's own entry: its name is its path.
    if (ev.type !== 'test:dequeue' || !ev.data.file || ev.data.name !== ev.data.file) continue;
    const now = Date.now();
    if (current) yield `${now - current.at}\t${current.file}\n`;
    current = { file: ev.data.file, at: now };
  }
  if (current) yield `${Date.now() - current.at}\t${current.file}\n`;
}
