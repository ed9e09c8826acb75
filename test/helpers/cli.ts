/**
 * Black-box helpers: run the real CLI in a child process and read what it wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../core/result.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliOutcome { code: number; stdout: string; stderr: string }

export function runCli(args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliOutcome> {
  return startCli(args, o).done;
}

/** The CLI running in a child process: its pid (to signal it), output so far, and its end. */
export function startCli(args: string[], o: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): { pid: number; output: () => string; done: Promise<CliOutcome> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'portal-probe.js'), ...args], {
    cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000);
  const done = new Promise<CliOutcome>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error('could not start the portal-probe CLI');
  return { pid: child.pid, output: () => stdout + stderr, done };
}

export function tempDir(prefix = 'pp-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // PP_KEEP_TMP=1 keeps what a test run wrote, to look at after a failure.
  return { dir, cleanup: () => { if (!process.env.PP_KEEP_TMP) rmSync(dir, { recursive: true, force: true }); } };
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/** The results.json of the newest run under an output directory. */
export function latestRun(outputDir: string): { run: RunResult; runDir: string } {
  const runs = readdirSync(outputDir).filter((d) => statSync(path.join(outputDir, d)).isDirectory()).sort();
  const last = runs.at(-1);
  if (!last) throw new Error(`no run under ${outputDir}`);
  const runDir = path.join(outputDir, last);
  return { run: JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResult, runDir };
}

export function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}
