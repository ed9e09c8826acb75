/**
 * Test helpers for the demo portal: a tiny HTTP(S) client with a cookie jar and manual
 * redirects (so every 303 and Set-Cookie can be asserted), TOTP codes, and a sign-in helper.
 */
import http from 'node:http';
import https from 'node:https';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import type { DemoAccount, DemoPortal } from '../../demo-portal/index.ts';

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
export function totp(seed: string, offset = 0): string {
  const step = Math.floor(Date.now() / 30_000) + offset;
  return generateSync({ secret: seed, epoch: step * 30 });
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
