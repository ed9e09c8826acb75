/**
 * Test helpers for the demo portal: a tiny HTTP(S) client with a cookie jar and manual
 * redirects (so every 303 and Set-Cookie can be asserted), TOTP codes, and a sign-in helper.
 */
import http from 'node:http';
import https from 'node:https';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import type { AccountRole, DemoAccount, DemoAccountSeed, DemoPortal } from '../../demo-portal/index.ts';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  setCookies: string[];
  location?: string;
  /** Wall-clock milliseconds from sending the request to the last body byte. */
  ms: number;
}

/** Cookie jar keyed by name only: every test client talks to one host. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  absorb(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string | undefined {
    return this.cookies.size === 0 ? undefined : [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface RequestOptions {
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
}

export class Client {
  readonly jar = new CookieJar();
  constructor(readonly base: string) {}

  get(path: string, opts: RequestOptions = {}): Promise<Response> {
    return this.request('GET', path, opts);
  }

  post(path: string, form: Record<string, string> = {}, opts: RequestOptions = {}): Promise<Response> {
    return this.request('POST', path, { ...opts, form });
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { ...opts.headers };
    let payload: string | undefined;
    if (opts.form) {
      payload = new URLSearchParams(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      payload = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    const cookie = this.jar.header();
    if (cookie !== undefined) headers['cookie'] = cookie;
    const res = await rawRequest(url, method, headers, payload);
    this.jar.absorb(res.setCookies);
    return res;
  }
}

export function rawRequest(url: URL, method: string, headers: Record<string, string>, payload?: string): Promise<Response> {
  const started = performance.now();
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const location = res.headers.location;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          setCookies: res.headers['set-cookie'] ?? [],
          ...(location === undefined ? {} : { location }),
          ms: performance.now() - started,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The code for the current 30 s step plus `offset` steps (the portal accepts offsets -1, 0, +1). */
export function totp(seed: string, offset = 0, digits: 6 | 8 = 6): string {
  const step = Math.floor(Date.now() / 30_000) + offset;
  return generateSync({ secret: seed, epoch: step * 30, digits });
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Accounts of one role with random passwords and seeds, so a test owns its TOTP steps (a code
 * step is usable once per account) and never collides with another test's sign-ins.
 */
export function testAccounts(prefix: string, n: number, role: AccountRole = 'physician'): DemoAccountSeed[] {
  const names = { physician: 'Dr. Test', billing: 'Biller Test', patient: 'Patient Test' } as const;
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`, kind: role === 'patient' ? 'patient' as const : 'provider' as const, role, username: `${prefix}${i + 1}`,
    password: `Pw-${Math.random().toString(36).slice(2)}-X9!`,
    totpSeed: Array.from({ length: 32 }, () => B32[Math.floor(Math.random() * 32)]).join(''),
    displayName: `${names[role]} ${i + 1}`,
  }));
}

/** A JSON request the way the single-page app sends it. */
export function postJson(client: Client, path: string, json: unknown = {}): Promise<Response> {
  return client.request('POST', path, { json, headers: { accept: 'application/json' } });
}

export function jsonOf<T = Record<string, unknown>>(res: Response): T {
  return JSON.parse(res.body) as T;
}

export function account(portal: DemoPortal, id: string): DemoAccount {
  const found = portal.accounts.find((a) => a.id === id);
  assert.ok(found, `no demo account ${id}`);
  return found;
}

export interface SignInOptions {
  /** Which TOTP step offset to use; pass 1 for a second sign-in of the same account in one test. */
  codeOffset?: number;
  /** Tick the daily acknowledgment when it is asked for (default true). */
  acknowledge?: boolean;
}

/** Password + TOTP (+ acknowledgment); returns where the portal sent the browser last. */
export async function signIn(client: Client, who: DemoAccount, opts: SignInOptions = {}): Promise<string> {
  const loginPath = who.kind === 'patient' ? '/patient/login' : '/login';
  const login = await client.post(loginPath, { username: who.username, password: who.password });
  assert.equal(login.status, 303, `password step for ${who.id}: ${login.status}`);
  assert.equal(login.location, '/mfa');
  const mfa = await client.post('/mfa', { otp: totp(who.totpSeed, opts.codeOffset ?? 0) });
  assert.equal(mfa.status, 303, `code step for ${who.id}: ${mfa.status}`);
  let location = mfa.location ?? '';
  if (location === '/acknowledge' && (opts.acknowledge ?? true)) {
    const ack = await client.post('/acknowledge', { ack: 'on' });
    assert.equal(ack.status, 303);
    location = ack.location ?? '';
  }
  return location;
}

export function sessionCookieOf(res: Response): string | undefined {
  const line = res.setCookies.find((c) => c.startsWith('pp_session='));
  return line?.split(';')[0]?.slice('pp_session='.length) || undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Text content of the first element with the given role attribute, tags stripped. */
export function roleText(html: string, role: 'alert' | 'status'): string | undefined {
  const match = new RegExp(`<div role="${role}"[^>]*>([\\s\\S]*?)</div>`).exec(html);
  return match?.[1]?.replace(/<[^>]+>/g, '').trim();
}

/** Password and code through the single-page app's API; returns the `next` view. */
export async function spaSignIn(c: Client, who: DemoAccount, digits: 6 | 8 = 6): Promise<string> {
  const login = await postJson(c, '/api/app/login', { username: who.username, password: who.password });
  assert.equal(login.status, 200, login.body);
  assert.deepEqual(jsonOf(login), { next: 'mfa' });
  const mfa = await postJson(c, '/api/app/mfa', { code: totp(who.totpSeed, 0, digits) });
  assert.equal(mfa.status, 200, mfa.body);
  return jsonOf<{ next: string }>(mfa).next;
}

/** The config the SPA shell carries in its JSON script element. */
export function configOf(res: Response): Record<string, unknown> {
  const json = /<script type="application\/json" id="spa-config">([\s\S]*?)<\/script>/.exec(res.body)?.[1];
  assert.ok(json, 'the shell carries its config');
  return JSON.parse(json) as Record<string, unknown>;
}
