/**
 * Shared fixtures for the config tests: real temp directories (the loader is tested
 * through the file system, as a user would hit it) and a small valid config that each
 * test copies and breaks in its own way.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { HarnessError, isHarnessError } from '../../core/errors.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** For config files in temp dirs, which cannot resolve the package by name. */
export const defineConfigUrl = pathToFileURL(path.join(repoRoot, 'config/define-config.ts')).href;

export interface TempDir {
  dir: string;
  write(name: string, content: string): string;
}

/** A fresh directory, removed again when the test ends. */
export function tempDir(t: TestContext, prefix = 'pp-config-'): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
  };
}

/** One portal, one account, one login journey: the smallest config that validates. */
export function validConfig() {
  return {
    portals: [
      {
        name: 'acme',
        environment: 'test',
        baseUrl: 'https://portal.acme.example',
        accounts: [
          { id: 'dr-a', role: 'provider', username: 'dr.a', npi: '1234567893', password: 'env:ACME_PW', totpSeed: 'env:ACME_SEED', pool: 'main' },
        ],
        journeys: [
          {
            kind: 'login',
            name: 'login',
            use: { pool: 'main' },
            steps: [
              { step: 'open', name: 'open', path: '/login' },
              { step: 'fill', target: { label: 'NPI' }, value: 'npi' },
              { step: 'fill', target: { label: 'Password' }, value: 'password' },
              { step: 'submit', name: 'sign in', target: { role: 'button', name: 'Sign in' } },
              { step: 'totp', target: { label: 'Code' } },
            ],
          },
        ],
      },
    ],
  };
}

/** Runs `fn`, asserts it throws a HarnessError with `code` and exit code 2, returns it. */
export async function expectHarnessError(fn: () => unknown, code: HarnessError['code']): Promise<HarnessError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(isHarnessError(e), `expected a HarnessError, got ${String(e)}`);
    assert.equal(e.code, code, `${e.message}\n${e.details.join('\n')}`);
    assert.equal(e.exitCode, 2);
    return e;
  }
  assert.fail(`expected a HarnessError ${code}, but nothing was thrown`);
}

/** Asserts that some detail line starts with `path: ` (and contains `fragment`, if given). */
export function assertDetail(error: HarnessError, pathText: string, fragment?: string): void {
  const hit = error.details.find((d) => d.startsWith(`${pathText}: `) && (fragment === undefined || d.includes(fragment)));
  assert.ok(hit, `no detail for ${pathText}${fragment ? ` containing "${fragment}"` : ''}; got:\n  ${error.details.join('\n  ')}`);
}
