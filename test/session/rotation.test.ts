/**
 * The rotation check on a portal without a TOTP step (password only, server-rendered): it
 * samples the session id just before the step that signs in — here the credential
 * submit — so session fixation is caught there too, not only on portals with a code step.
 * The stand-in portal is a real HTTP server that hands out a session id before sign-in
 * and, with `fixation` on, keeps it afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { latestRun, runCli, tempDir, writeJson } from '../helpers/cli.ts';
import type { ProbeConfigInput } from '../../config/schema.ts';

const PASSWORD = `Pw-${randomBytes(6).toString('hex')}`;
const sessions = new Map<string, { signedIn: boolean }>();
let fixation = false;
let server: http.Server;
let baseUrl = '';
const tmp = tempDir();

function sid(req: http.IncomingMessage): string | undefined {
  return /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
}

before(async () => {
  server = http.createServer((req, res) => {
    const id = sid(req);
    const s = id ? sessions.get(id) : undefined;
    if (req.method === 'GET' && req.url === '/login') {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/html', 'cache-control': 'no-store' };
      if (!s) {
        const fresh = randomBytes(12).toString('hex');
        sessions.set(fresh, { signedIn: false });
        headers['set-cookie'] = `sid=${fresh}; Path=/; HttpOnly; SameSite=Lax`;
      }
      res.writeHead(200, headers).end(`<!doctype html><title>Sign in</title><form method="post" action="/login">
        <label>Username <input name="u"></label><label>Password <input name="p" type="password"></label>
        <button type="submit">Sign in</button></form>`);
      return;
    }
    if (req.method === 'POST' && req.url === '/login') {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('u') !== 'probe' || form.get('p') !== PASSWORD) {
          res.writeHead(401, { 'content-type': 'text/html' }).end('<p role="alert">Invalid username or password.</p>');
          return;
        }
        const headers: http.OutgoingHttpHeaders = { location: '/home' };
        if (fixation && id && s) s.signedIn = true;
        else {
          if (id) sessions.delete(id);
          const fresh = randomBytes(12).toString('hex');
          sessions.set(fresh, { signedIn: true });
          headers['set-cookie'] = `sid=${fresh}; Path=/; HttpOnly; SameSite=Lax`;
        }
        res.writeHead(302, headers).end();
      });
      return;
    }
    if (req.url === '/home') {
      if (s?.signedIn) res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' }).end('<!doctype html><title>Home</title><h1>Home</h1>');
      else res.writeHead(302, { location: '/login' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.cleanup();
});

async function rotationRun(name: string): Promise<{ code: number; result: ReturnType<typeof latestRun>['run']['results'][number] | undefined; out: string }> {
  const config: ProbeConfigInput = {
    portals: [{
      name: 'password-only', environment: 'test', baseUrl,
      accounts: [{ id: 'probe', role: 'clerk', username: 'probe', password: 'env:PP_ROTATION_PW', pool: 'p' }],
      journeys: [
        { kind: 'login', name: 'login', use: { pool: 'p' }, steps: [
          { step: 'open', path: '/login', expect: { label: 'Username' } },
          { step: 'fill', target: { label: 'Username' }, value: 'username' },
          { step: 'fill', target: { label: 'Password' }, value: 'password' },
          { step: 'submit', target: { role: 'button', name: 'Sign in' } },
          { step: 'assert', target: { role: 'heading', name: 'Home' } },
        ] },
        { kind: 'session-rotation', name: 'rotation', use: { pool: 'p' }, login: 'login', probePath: '/home' },
      ],
    }],
    browsers: ['chromium'], viewports: ['desktop'], workers: 1,
    timeouts: { stepMs: 4000, journeyMs: 30_000 },
    outputDir: `${tmp.dir}/${name}`,
  };
  const file = `${tmp.dir}/${name}.config.json`;
  writeJson(file, config);
  const r = await runCli(['run', '--config', file, '--journeys', 'rotation'], { cwd: tmp.dir, env: { PP_ROTATION_PW: PASSWORD, PORTAL_PROBE_STATE_DIR: `${tmp.dir}/state` } });
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  return { code: r.code, result: latestRun(`${tmp.dir}/${name}`).run.results[0], out: r.stdout + r.stderr };
}

test('no TOTP step: a portal that issues a new session id at sign-in passes, having seen the pre-login id', async () => {
  fixation = false;
  const { code, result, out } = await rotationRun('rotates');
  assert.equal(result?.outcome, 'passed', out);
  assert.match(result?.check?.measured ?? '', /sid changed at sign-in \(1 pre-login value\(s\) seen, 0 still usable\)/);
  assert.equal(code, 0);
});

test('no TOTP step: a portal that keeps the pre-login session id (session fixation) fails as session-not-rotated', async () => {
  fixation = true;
  const { code, result, out } = await rotationRun('fixation');
  assert.equal(result?.outcome, 'failed', out);
  assert.equal(result?.cause, 'session-not-rotated');
  assert.match(result?.check?.measured ?? '', /sid kept its pre-login value/);
  assert.equal(code, 1);
});
