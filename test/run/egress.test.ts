/**
 * The allow-list at the socket (fixtures/egress-guard.ts): the SOCKS5 guard relays
 * connections to allowed hosts and refuses every other before the request leaves, and
 * real Chromium and Firefox send everything through it — loopback names included, and
 * host names unresolved, so the guard checks the name the page used. A look-alike host
 * never sees a request; the browser's HTTP cache stays on; and the engines the guard is
 * not verified for fall back to request interception, which blocks the same way.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { chromium, firefox, type Browser } from '@playwright/test';
import { EgressGuard, type EgressTarget } from '../../fixtures/egress-guard.ts';
import { Evidence, openWatchedContext } from '../../fixtures/evidence.ts';
import { findBrowser } from '../../core/browsers.ts';

/** A stand-in portal: a page with a cacheable stylesheet; it records the Host of every request it gets. */
let server: http.Server;
let port = 0;
const seen: string[] = [];
let connections = 0;

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.headers.host ?? ''} ${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', connection: 'close' });
      res.end(Buffer.alloc(4 << 20, 0x61));
      return;
    }
    if (req.url === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'max-age=600' });
      res.end('body { color: #123; }');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>portal</title><link rel="stylesheet" href="/style.css"><h1>Portal</h1>');
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Talks SOCKS5 to the guard, optionally one byte at a time; resolves with the reply code and the open socket. */
async function socksConnect(guard: EgressGuard, request: Buffer, o: { bytewise?: boolean; methods?: number[]; extra?: Buffer } = {}): Promise<{ code: number; socket: net.Socket; rest: string }> {
  const socket = net.connect(Number(new URL(guard.proxyServer).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const methods = o.methods ?? [0];
  const out = Buffer.concat([Buffer.from([5, methods.length, ...methods]), request, o.extra ?? Buffer.alloc(0)]);
  let got = Buffer.alloc(0);
  const answer = new Promise<Buffer>((resolve) => {
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got[1] === 0xff) resolve(got);
      if (got.length >= 12) resolve(got);
    });
    socket.on('close', () => resolve(got));
  });
  if (o.bytewise) {
    for (const b of out) {
      socket.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 2));
    }
  } else {
    socket.write(out);
  }
  const a = await answer;
  socket.removeAllListeners('data');
  socket.pause(); // the caller resumes once it listens
  if (a[1] === 0xff) return { code: -1, socket, rest: '' };
  assert.deepEqual([...a.subarray(0, 2)], [5, 0], 'method selection: no authentication');
  return { code: a[3] ?? -2, socket, rest: a.subarray(12).toString() };
}

const connectDomain = (host: string, p: number): Buffer => Buffer.concat([Buffer.from([5, 1, 0, 3, host.length]), Buffer.from(host, 'latin1'), Buffer.from([p >> 8, p & 0xff])]);
const connectIPv4 = (ip: number[], p: number): Buffer => Buffer.from([5, 1, 0, 1, ...ip, p >> 8, p & 0xff]);

describe('the guard speaks SOCKS5 and holds the line', () => {
  let guard: EgressGuard;
  const refused: EgressTarget[] = [];
  let closedPort = 0;
  before(async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    guard = await EgressGuard.start((t) => t.hostname === '127.0.0.1' && (t.port === port || t.port === closedPort));
    guard.onRefused((t) => refused.push(t));
  });
  after(async () => { await guard.close(); });

  test('an allowed target is relayed, including bytes sent along with the request', async () => {
    const before = seen.length;
    const get = Buffer.from(`GET /style.css HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    const { code, socket, rest } = await socksConnect(guard, connectIPv4([127, 0, 0, 1], port), { extra: get });
    assert.equal(code, 0);
    const body = await new Promise<string>((resolve) => {
      let text = rest;
      socket.on('data', (d: Buffer) => { text += d.toString(); });
      socket.on('close', () => resolve(text));
      socket.resume();
    });
    assert.match(body, /^HTTP\/1\.1 200[\s\S]*color: #123/);
    assert.equal(seen.length, before + 1);
  });

  test('a large answer from a host that closes after it arrives whole; an allowed host that refuses is reported as refused', async () => {
    const get = Buffer.from(`GET /big HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const { code, socket, rest } = await socksConnect(guard, connectIPv4([127, 0, 0, 1], port), { extra: get });
    assert.equal(code, 0);
    // Read nothing for a while: the server has sent everything and closed long before the
    // browser's side has taken it all, so the rest waits in the guard's buffers.
    await new Promise((r) => setTimeout(r, 500));
    const received = await new Promise<number>((resolve) => {
      let n = Buffer.byteLength(rest);
      socket.on('data', (d: Buffer) => { n += d.length; });
      socket.on('close', () => resolve(n));
      socket.resume();
    });
    assert.ok(received > 4 << 20, `got ${received} bytes`);
    const down = await socksConnect(guard, connectIPv4([127, 0, 0, 1], closedPort));
    down.socket.destroy();
    assert.equal(down.code, 5, 'connection refused');
  });

  test('anything else is refused with "not allowed by ruleset", and the host never sees a connection', async () => {
    const before = connections;
    for (const [request, expected] of [
      [connectDomain('login-portal.localhost', port), { hostname: 'login-portal.localhost', port }],
      [connectDomain('LocalHost', port), { hostname: 'localhost', port }],
      [connectIPv4([127, 0, 0, 1], port + 1 > 65535 ? port - 1 : port + 1), { hostname: '127.0.0.1', port: port + 1 > 65535 ? port - 1 : port + 1 }],
      [Buffer.from([5, 1, 0, 4, ...Array(15).fill(0), 1, port >> 8, port & 0xff]), { hostname: '[::1]', port }],
    ] as const) {
      refused.length = 0;
      const { code, socket } = await socksConnect(guard, request, { bytewise: expected.hostname === 'localhost' });
      socket.destroy();
      assert.equal(code, 2, expected.hostname);
      assert.deepEqual(refused, [expected]);
    }
    assert.equal(connections, before, 'no connection reached the server');
  });

  test('what the guard does not speak is turned away: other commands, other authentication', async () => {
    const bind = await socksConnect(guard, Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]));
    bind.socket.destroy();
    assert.equal(bind.code, 7);
    const auth = await socksConnect(guard, Buffer.alloc(0), { methods: [2] });
    auth.socket.destroy();
    assert.equal(auth.code, -1);
  });
});

const engines: [string, () => Promise<Browser>][] = [
  ['chromium', async () => {
    const s = findBrowser('chromium');
    if (!s.available) throw new Error(s.reason);
    return chromium.launch(s.launch.launchOptions);
  }],
  ['firefox', async () => {
    const s = findBrowser('firefox');
    if (!s.available) throw new Error(s.reason);
    return firefox.launch({ ...(s.launch.channel ? { channel: s.launch.channel } : {}), ...s.launch.launchOptions });
  }],
];

for (const [name, launch] of engines) {
  describe(`${name} through the guard`, () => {
    let browser: Browser;
    before(async () => { browser = await launch(); });
    after(async () => { await browser.close(); });

    test('the portal loads (its cache still works); look-alike and other loopback names never receive a request', async () => {
      const evidence = new Evidence(new Set([`127.0.0.1:${port}`]));
      const { context, page } = await openWatchedContext(browser, {}, evidence);
      try {
        seen.length = 0;
        const ok = await page.goto(`http://127.0.0.1:${port}/`);
        assert.equal(ok?.status(), 200);
        await page.goto(`http://127.0.0.1:${port}/?again`);
        assert.equal(seen.filter((s) => s.endsWith(' /style.css')).length, 1, `the stylesheet came from the cache the second time: ${seen.join(', ')}`);

        const api = await context.request.get(`http://127.0.0.1:${port}/style.css?api`);
        assert.equal(api.status(), 200, 'context.request goes through the guard to an allowed host');

        seen.length = 0;
        for (const host of ['login-portal.localhost', 'localhost', '127.0.0.2']) {
          await assert.rejects(page.goto(`http://${host}:${port}/login`, { timeout: 10_000 }), Error, host);
          await assert.rejects(context.request.get(`http://${host}:${port}/api`, { timeout: 10_000 }), Error, `${host} via context.request`);
        }
        await page.waitForTimeout(200); // requestfailed events
        assert.deepEqual(seen, [], 'nothing reached the server under another name');
        for (const host of ['login-portal.localhost', 'localhost', '127.0.0.2']) assert.ok(evidence.blockedHosts.includes(`${host}:${port}`), `${host} recorded as blocked: ${evidence.blockedHosts.join(', ')}`);
        assert.deepEqual(evidence.navigationErrors, [], 'refusals are blocks, not network errors');
      } finally {
        await context.close();
      }
    });

    test('a portal named by host name: the guard sees the name, not an address the browser resolved', async () => {
      const evidence = new Evidence(new Set([`localhost:${port}`]));
      const { context, page } = await openWatchedContext(browser, {}, evidence);
      try {
        seen.length = 0;
        const ok = await page.goto(`http://localhost:${port}/`);
        assert.equal(ok?.status(), 200);
        await assert.rejects(page.goto(`http://127.0.0.1:${port}/`, { timeout: 10_000 }));
        assert.deepEqual(seen.map((s) => s.split(' ')[0]).filter((h) => h !== `localhost:${port}`), [], 'only the named host was reached');
      } finally {
        await context.close();
      }
    });
  });
}

test('request interception, for engines without the guard, blocks the same requests', async () => {
  const browser = await engines[0]![1]();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const evidence = new Evidence(new Set([`127.0.0.1:${port}`]));
    await evidence.install(context, page, { intercept: true });
    assert.equal((await page.goto(`http://127.0.0.1:${port}/`))?.status(), 200);
    seen.length = 0;
    const blocked = evidence.whenBlocked();
    await assert.rejects(page.goto(`http://login-portal.localhost:${port}/login`, { timeout: 10_000 }));
    assert.match((await blocked.promise).message, /login-portal\.localhost/);
    assert.deepEqual(seen, []);
    assert.deepEqual(evidence.blockedHosts, [`login-portal.localhost:${port}`]);
    await context.close();
  } finally {
    await browser.close();
  }
});
