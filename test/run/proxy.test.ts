/**
 * An outbound HTTP proxy (`proxy` in the config), as hospital networks have: a real
 * CONNECT proxy on 127.0.0.1 stands in for it. The allow-list guard tunnels every allowed
 * connection through it, with Basic authentication; refused hosts never reach it; bypassed
 * hosts are connected to directly; a proxy that refuses says why; the certificate check
 * goes through it as well. End to end, a run in
 * Chromium and Firefox signs in through the proxy without its password appearing anywhere,
 * and a wrong proxy password fails the journey as Network (proxy-auth), not as the portal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { startDemoPortal, type DemoPortal } from '../../demo-portal/index.ts';
import { EgressGuard, type EgressTarget, type UpstreamProxy } from '../../fixtures/egress-guard.ts';
import { makeSelfSignedCert } from '../../demo-portal/tls.ts';
import { certificateDaysLeft } from '../../fixtures/checks/headers.ts';
import { latestRun, runCli, tempDir } from '../helpers/cli.ts';
import { physicians, writeProviderConfig } from '../helpers/portal-config.ts';
import { textOfRun } from '../helpers/report-text.ts';

const PROXY_USER = 'probe-svc';
const PROXY_PASSWORD = `ProxyCanary-${randomBytes(6).toString('hex')}`;

/** A CONNECT proxy that wants Basic credentials and records every tunnel it was asked for. */
class TestProxy {
  readonly tunnels: { authority: string; authorized: boolean }[] = [];
  /** Names only the proxy can resolve (an internal portal behind a mandatory proxy). */
  readonly names = new Map<string, string>();
  private readonly server = http.createServer((_req, res) => res.writeHead(405).end());
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async start(): Promise<void> {
    const expected = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => client.destroy());
      const authorized = req.headers['proxy-authorization'] === expected;
      this.tunnels.push({ authority: req.url ?? '', authorized });
      if (!authorized) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const [host, port] = [(req.url ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), Number(/:(\d+)$/.exec(req.url ?? '')?.[1])];
      const upstream = net.connect({ host: this.names.get(host) ?? host, port }, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let proxy: TestProxy;
let echo: net.Server;
let echoPort = 0;
let echoConnections = 0;

before(async () => {
  proxy = new TestProxy();
  await proxy.start();
  echo = net.createServer((s) => {
    echoConnections += 1;
    s.on('data', (d) => s.write(`echo:${d.toString()}`));
    s.on('error', () => s.destroy());
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});
after(async () => {
  await proxy.stop();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

const upstream = (o: Partial<UpstreamProxy> = {}): UpstreamProxy => ({ server: proxy.url, bypass: [], username: PROXY_USER, password: PROXY_PASSWORD, ...o });

/** SOCKS5 CONNECT to 127.0.0.1:port through the guard; the reply code and, when open, the echo of "hi". */
async function throughGuard(guard: EgressGuard, host: string, port: number): Promise<{ code: number; echoed: string }> {
  const socket = net.connect(Number(new URL(guard.proxyServer).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 3, host.length]), Buffer.from(host, 'latin1'), Buffer.from([port >> 8, port & 0xff])]));
  let got = Buffer.alloc(0);
  const reply = await new Promise<Buffer>((resolve) => {
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 12) resolve(got);
    });
    socket.on('close', () => resolve(got));
  });
  const code = reply[3] ?? -1;
  let echoed = '';
  if (code === 0) {
    socket.removeAllListeners('data');
    echoed = await new Promise<string>((resolve) => {
      socket.on('data', (d: Buffer) => resolve(d.toString()));
      socket.write('hi');
    });
  }
  socket.destroy();
  return { code, echoed };
}

describe('the guard tunnels allowed connections through the outbound proxy', () => {
  test('an allowed host goes through the proxy, with its credentials; a refused one never reaches it', async () => {
    const guard = await EgressGuard.start((t) => t.hostname === '127.0.0.1', { proxy: upstream() });
    try {
      const before = proxy.tunnels.length;
      const ok = await throughGuard(guard, '127.0.0.1', echoPort);
      assert.deepEqual(ok, { code: 0, echoed: 'echo:hi' });
      assert.deepEqual(proxy.tunnels.slice(before), [{ authority: `127.0.0.1:${echoPort}`, authorized: true }]);
      const refused = await throughGuard(guard, 'login-portal.example.net', 443);
      assert.equal(refused.code, 2, 'refused by the allow-list');
      assert.equal(proxy.tunnels.length, before + 1, 'the refused host was never asked of the proxy');
    } finally {
      await guard.close();
    }
  });

  test('a bypassed host is connected to directly', async () => {
    const guard = await EgressGuard.start(() => true, { proxy: upstream({ bypass: [`127.0.0.1:${echoPort}`] }) });
    try {
      const before = proxy.tunnels.length;
      const connections = echoConnections;
      assert.deepEqual(await throughGuard(guard, '127.0.0.1', echoPort), { code: 0, echoed: 'echo:hi' });
      assert.equal(proxy.tunnels.length, before, 'the proxy saw nothing');
      assert.equal(echoConnections, connections + 1);
    } finally {
      await guard.close();
    }
  });

  test('wrong proxy credentials: the connection is refused and the reason is the proxy\'s 407, without the password', async () => {
    const failures: { target: EgressTarget; reason: string }[] = [];
    const guard = await EgressGuard.start(() => true, { proxy: upstream({ password: 'wrong' }), onProxyFailure: (target, reason) => failures.push({ target, reason }) });
    try {
      const connections = echoConnections;
      const r = await throughGuard(guard, '127.0.0.1', echoPort);
      assert.equal(r.code, 1, 'general failure');
      assert.equal(echoConnections, connections, 'nothing reached the host');
      assert.equal(failures.length, 1);
      assert.match(failures[0]?.reason ?? '', new RegExp(`^proxy 127\\.0\\.0\\.1:${proxy.port}: answered CONNECT 127\\.0\\.0\\.1:${echoPort} with 407 Proxy Authentication Required$`));
    } finally {
      await guard.close();
    }
  });

  test('a browser that gives up on a connection while the tunnel is being set up is no proxy failure', async () => {
    // A proxy that takes its time answering CONNECT.
    const slow = net.createServer((s) => { s.on('error', () => s.destroy()); setTimeout(() => s.destroy(), 2000); });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const failures: string[] = [];
    const guard = await EgressGuard.start(() => true, {
      proxy: upstream({ server: `http://127.0.0.1:${(slow.address() as net.AddressInfo).port}` }),
      onProxyFailure: (_t, reason) => failures.push(reason),
    });
    try {
      const socket = net.connect(Number(new URL(guard.proxyServer).port), '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1]), Buffer.from([echoPort >> 8, echoPort & 0xff])]));
      await new Promise((r) => setTimeout(r, 200));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(failures, []);
    } finally {
      await guard.close();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  test('the certificate check reads the portal\'s certificate through the proxy too', async () => {
    const material = await makeSelfSignedCert(30);
    const server = tls.createServer({ key: material.key, cert: material.cert }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const before = proxy.tunnels.length;
      const { daysLeft } = await certificateDaysLeft(new URL(`https://127.0.0.1:${port}/login`), 5000, upstream());
      assert.ok(daysLeft >= 28 && daysLeft <= 30, `days left: ${daysLeft}`);
      assert.deepEqual(proxy.tunnels.slice(before), [{ authority: `127.0.0.1:${port}`, authorized: true }]);
      await assert.rejects(certificateDaysLeft(new URL(`https://127.0.0.1:${port}/`), 5000, upstream({ password: 'wrong' })),
        new RegExp(`^Error: Proxy 127\\.0\\.0\\.1:${proxy.port} answered CONNECT 127\\.0\\.0\\.1:${port} with 407 Proxy Authentication Required\\.$`));
      // Without a proxy (or bypassed) the check connects directly, as before.
      const direct = proxy.tunnels.length;
      assert.ok((await certificateDaysLeft(new URL(`https://127.0.0.1:${port}/`), 5000, upstream({ bypass: ['127.0.0.1'] }))).daysLeft >= 28);
      assert.ok((await certificateDaysLeft(new URL(`https://127.0.0.1:${port}/`), 5000, undefined)).daysLeft >= 28);
      assert.equal(proxy.tunnels.length, direct);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('portal-probe run through an outbound proxy', () => {
  let portal: DemoPortal;
  const tmp = tempDir();
  before(async () => {
    portal = await startDemoPortal({ https: false, accounts: physicians('proxied', 6) });
  });
  after(async () => {
    await portal.close();
    tmp.cleanup();
  });

  /** A provider config for `account` with the proxy added, its password from the environment. */
  function setup(dir: string, account: string, password: string, accountIds = [account]) {
    mkdirSync(dir, { recursive: true });
    const s = writeProviderConfig(dir, portal, { accountIds, browsers: ['chromium', 'firefox'], workers: 2, stepMs: 10_000 });
    const config = JSON.parse(readFileSync(s.configFile, 'utf8')) as Record<string, unknown>;
    config.proxy = { server: proxy.url, username: PROXY_USER, password: 'env:PP_TEST_PROXY_PASSWORD' };
    writeFileSync(s.configFile, JSON.stringify(config, null, 2));
    return { ...s, env: { ...s.env, PP_TEST_PROXY_PASSWORD: password } };
  }

  test('signs in through the proxy in Chromium and Firefox, and its password appears in nothing the run leaves', async () => {
    const dir = path.join(tmp.dir, 'ok');
    const s = setup(dir, 'proxied1', PROXY_PASSWORD);
    const before = proxy.tunnels.length;
    const r = await runCli(['run', '--config', s.configFile], { cwd: tmp.dir, env: s.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const { run, runDir } = latestRun(s.outputDir);
    assert.deepEqual(run.results.map((x) => x.outcome), ['passed', 'passed']);
    const portalAuthority = new URL(portal.url).host;
    const tunnels = proxy.tunnels.slice(before);
    assert.ok(tunnels.filter((t) => t.authority === portalAuthority && t.authorized).length >= 2, `both browsers went through the proxy: ${JSON.stringify(tunnels)}`);
    assert.ok(tunnels.every((t) => t.authority === portalAuthority), `only the portal was asked for: ${JSON.stringify(tunnels)}`);
    const basic = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
    for (const { file, text } of [{ file: 'stdout+stderr', text: r.stdout + r.stderr }, ...textOfRun(runDir)]) {
      assert.ok(!text.includes(PROXY_PASSWORD), `proxy password found in ${file}`);
      assert.ok(!text.includes(basic), `proxy credentials (Basic) found in ${file}`);
    }
  });

  test('a wrong proxy password fails the journey as Network (proxy-auth) at its first step, exit 1', async () => {
    const dir = path.join(tmp.dir, 'bad');
    const s = setup(dir, 'proxied2', 'not-the-password');
    const r = await runCli(['run', '--config', s.configFile], { cwd: tmp.dir, env: s.env });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const { run } = latestRun(s.outputDir);
    for (const x of run.results) {
      assert.equal(x.outcome, 'failed', JSON.stringify(x));
      assert.equal(x.failedStep, 'open');
      assert.equal(x.category, 'network');
      assert.equal(x.cause, 'proxy-auth');
      assert.match(x.action ?? '', /407 Proxy Authentication Required.*proxy\.username and proxy\.password/);
    }
    assert.ok(!(r.stdout + r.stderr).includes('not-the-password'));
  });

  test('behind a mandatory proxy (a portal name only the proxy resolves), the checks that replay a session reach it too', async () => {
    const dir = path.join(tmp.dir, 'mandatory');
    const s = setup(dir, 'proxied4', PROXY_PASSWORD, ['proxied4', 'proxied5', 'proxied6']);
    const internal = `http://portal.internal.test:${new URL(portal.url).port}`;
    proxy.names.set('portal.internal.test', '127.0.0.1');
    const config = JSON.parse(readFileSync(s.configFile, 'utf8')) as { browsers: string[]; portals: { baseUrl: string; journeys: unknown[] }[] };
    config.browsers = ['chromium'];
    const p = config.portals[0];
    assert.ok(p);
    p.baseUrl = internal;
    const check = { use: { pool: 'doctors' }, login: 'physician login', probePath: '/dashboard' };
    p.journeys.push({ kind: 'logout-ends-session', name: 'logout', ...check }, { kind: 'session-rotation', name: 'rotation', ...check });
    writeFileSync(s.configFile, JSON.stringify(config, null, 2));
    const r = await runCli(['run', '--config', s.configFile], { cwd: tmp.dir, env: s.env });
    const { run } = latestRun(s.outputDir);
    const out = r.stdout + r.stderr;
    assert.deepEqual(run.results.map((x) => `${x.journey}: ${x.outcome}${x.cause ? ` (${x.cause}: ${x.errorMessage ?? x.reason ?? ''})` : x.reason ? ` (${x.reason})` : ''}`).sort(),
      ['logout: passed', 'physician login: passed', 'rotation: passed'], out);
    assert.match(run.results.find((x) => x.journey === 'rotation')?.check?.measured ?? '', /changed at sign-in \([1-9]\d* pre-login value/);
    assert.equal(r.code, 0, out);
  });

  test('a proxy password that cannot be resolved stops the run before it starts: exit 2, naming proxy.password', async () => {
    const dir = path.join(tmp.dir, 'missing');
    const s = setup(dir, 'proxied3', PROXY_PASSWORD);
    const { PP_TEST_PROXY_PASSWORD: _omit, ...env } = s.env;
    const before = proxy.tunnels.length;
    const r = await runCli(['run', '--config', s.configFile], { cwd: tmp.dir, env });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /proxy\.password: .*PP_TEST_PROXY_PASSWORD/);
    assert.equal(proxy.tunnels.length, before, 'nothing ran');
  });
});
